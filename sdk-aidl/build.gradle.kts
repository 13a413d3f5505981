// sdk-aidl: the AIDL contract + client library third-party apps compile against (an Android library).
//
// Written to convention for a normal Android workstation (Android Gradle Plugin + Android SDK).
// It cannot run on the project's build machines, which have no Google Maven, no Gradle distribution
// and no Android SDK; there, ./build-host.sh does the equivalent verification with Debian's aidl,
// kotlinc and Robolectric's android-all jars (see README.md).
plugins {
    id("com.android.library") version "8.7.3"
    id("org.jetbrains.kotlin.android") version "2.4.20"   // the Kotlin verified here (kotlinc 2.4.20, build-aar.sh)
}

android {
    namespace = "com.unipos.sdk"
    compileSdk = 35

    defaultConfig {
        minSdk = 24            // Android 7.0: the oldest smart-POS terminals we support
        consumerProguardFiles("consumer-rules.pro")
    }

    buildFeatures {
        aidl = true            // src/main/aidl -> generated Stub/Proxy and structured parcelables
        buildConfig = false
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_1_8
        targetCompatibility = JavaVersion.VERSION_1_8
    }

    testOptions {
        unitTests.isIncludeAndroidResources = false
        unitTests.all { test ->
            test.systemProperty("unipos.docs", rootProject.file("docs/integration-guide.md").absolutePath)
        }
    }

    publishing {
        singleVariant("release") { withSourcesJar() }
    }
}

kotlin {
    jvmToolchain(17)
    compilerOptions { jvmTarget.set(org.jetbrains.kotlin.gradle.dsl.JvmTarget.JVM_1_8) }
}

dependencies {
    // No runtime dependencies on purpose: plain Android framework APIs only (no AndroidX), so the
    // library drops into any merchant app on Android 7-11 terminals.
    testImplementation("junit:junit:4.13.2")
    testImplementation("org.robolectric:robolectric:4.17")
}
