// :app — the unipos launcher app: cashier screens, PaymentService (the AIDL of sdk-aidl), the pay
// Intent, vendor hardware adapters. Platform widgets only (no AndroidX, no Compose): terminals run
// Android 7-11 on little memory.
//
// Two build types, as the host scripts build them (scripts/lib/android-host-build.sh):
//   debug   = src/main + src/debug   : simulated devices, emulator defaults, the simulator's test TMK,
//                                      StrictMode (penaltyDeath); tests src/test + src/testDebug
//   release = src/main + src/release : a vendor adapter with its own security module and EMV kernel
//                                      required, no defaults, never a software TMK; R8; tests
//                                      src/test + src/testRelease
//
// Written to convention for a workstation with the Android SDK + NDK; it has NOT been run on the
// project's machines (no Google Maven, Gradle distribution or SDK there). What runs here:
// scripts/test-android-app.sh (both variants under Robolectric) and scripts/build-apk.sh (signed
// debug and R8 release APKs, checked), see docs/android-app.md.
//
// Vendor signing (release): a terminal accepts only APKs signed with the key its vendor or acquirer
// registered. Put the keystore's path and passwords in ~/.gradle/gradle.properties or the
// environment (UNIPOS_SIGNING_STORE, UNIPOS_SIGNING_STORE_PASSWORD, UNIPOS_SIGNING_KEY_ALIAS,
// UNIPOS_SIGNING_KEY_PASSWORD), never in this repository; without them `assembleRelease` builds an
// unsigned APK to hand to the vendor's signing service (then `apksigner verify`).
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

    // Variant code lives beside main, as the host scripts compile it.
    sourceSets["debug"].java.srcDir("src/debug/kotlin")
    sourceSets["release"].java.srcDir("src/release/kotlin")
    sourceSets["testDebug"].java.srcDir("src/testDebug/kotlin")
    sourceSets["testRelease"].java.srcDir("src/testRelease/kotlin")

    buildFeatures {
        aidl = true
        buildConfig = true
    }

    signingConfigs {
        create("vendor") {
            val store = providers.gradleProperty("UNIPOS_SIGNING_STORE").orElse(providers.environmentVariable("UNIPOS_SIGNING_STORE"))
            if (store.isPresent) {
                storeFile = file(store.get())
                storePassword = providers.gradleProperty("UNIPOS_SIGNING_STORE_PASSWORD").orElse(providers.environmentVariable("UNIPOS_SIGNING_STORE_PASSWORD")).get()
                keyAlias = providers.gradleProperty("UNIPOS_SIGNING_KEY_ALIAS").orElse(providers.environmentVariable("UNIPOS_SIGNING_KEY_ALIAS")).get()
                keyPassword = providers.gradleProperty("UNIPOS_SIGNING_KEY_PASSWORD").orElse(providers.environmentVariable("UNIPOS_SIGNING_KEY_PASSWORD")).get()
                enableV1Signing = false     // minSdk 24: v2/v3 signatures
                enableV2Signing = true
                enableV3Signing = true
            }
        }
    }

    buildTypes {
        debug {
            isDebuggable = true
        }
        release {
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
            signingConfig = signingConfigs.getByName("vendor").takeIf { it.storeFile != null }
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    testOptions {
        // Robolectric tests read the app's real strings and manifest (what test-android-app.sh gives
        // them through test_config.properties).
        unitTests.isIncludeAndroidResources = true
        // Host tests need the desktop libunipos.so and a running host simulator: scripts/test-android-app.sh
        // provides both; under Gradle set them the same way.
        unitTests.all {
            it.systemProperty("jna.library.path", rootDir.resolve("../target/debug").absolutePath)
            // One Robolectric sandbox for every class (as scripts/test-android-app.sh): the core's
            // uniffi callback tables are process-wide and a second sandbox's class loader breaks them.
            it.systemProperty("robolectric.graphicsMode", "NATIVE")
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
