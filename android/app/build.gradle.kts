// :app — the unipos launcher app: cashier screens, PaymentService (the AIDL of sdk-aidl), the pay
// Intent, vendor hardware adapters. Platform widgets only (no AndroidX, no Compose): terminals run
// Android 7-11 on little memory.
//
// Written to convention for a workstation with the Android SDK + NDK; it has NOT been run on the
// project's machines (no Google Maven, Gradle distribution or SDK there). scripts/test-android-app.sh
// is the host verification that runs here (see docs/android-app.md).
plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
}

android {
    namespace = "com.unipos.app"
    compileSdk = 35

    defaultConfig {
        applicationId = "com.unipos.app"
        minSdk = 24
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
        testInstrumentationRunner = "androidx.test.runner.AndroidJUnitRunner"
        ndk { abiFilters += listOf("arm64-v8a", "armeabi-v7a", "x86_64") }
    }

    // The contract third-party apps compile against is compiled into the app from its single source
    // (sdk-aidl/), so the service and the clients can never disagree on it. sdk-aidl is its own
    // Gradle build with pinned plugin versions, which cannot be a subproject of this build.
    sourceSets["main"].apply {
        aidl.srcDir("../../sdk-aidl/src/main/aidl")
        java.srcDir("../../sdk-aidl/src/main/kotlin")
    }

    buildFeatures {
        aidl = true
        buildConfig = true
    }

    buildTypes {
        release {
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    testOptions {
        // Host tests need the desktop libunipos.so and a running host simulator: scripts/test-android-app.sh
        // provides both; under Gradle set them the same way.
        unitTests.all {
            it.systemProperty("jna.library.path", rootDir.resolve("../target/debug").absolutePath)
            it.systemProperty("unipos.posp", System.getProperty("unipos.posp") ?: "127.0.0.1:5000")
            it.systemProperty("unipos.admin", System.getProperty("unipos.admin") ?: "127.0.0.1:5080")
        }
    }

    lint {
        // The host build cannot run Lint; on a workstation NewApi must stay an error (minSdk 24 terminals).
        error += "NewApi"
    }
}

kotlin { jvmToolchain(17) }

dependencies {
    implementation(project(":core"))   // Kotlin wrapper + uniffi bindings + jniLibs (cargo-ndk)

    testImplementation("junit:junit:4.13.2")
    testImplementation("org.robolectric:robolectric:4.17")
    testImplementation("net.java.dev.jna:jna:5.18.1")

    androidTestImplementation("androidx.test:runner:1.6.2")
    androidTestImplementation("androidx.test:rules:1.6.1")
    androidTestImplementation("androidx.test.ext:junit:1.2.1")
    androidTestImplementation("androidx.test:core:1.6.1")
}
