// :core — the generated uniffi bindings (package com.unipos.core.ffi) + the idiomatic wrapper
// (com.unipos.core), and libunipos.so per ABI in src/main/jniLibs (built by cargo-ndk).
//
// The Kotlin sources are plain JVM code (no android.* imports): scripts/test-jvm.sh compiles and
// tests them on the host JVM against a host-built libunipos.so without Gradle or the Android SDK.
// This Gradle file is the Android build, written to convention; it needs the Android SDK + NDK and
// has not been run on the project's machines (no SDK/NDK there). See docs/ffi.md.
plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
}

android {
    namespace = "com.unipos.core"
    compileSdk = 35
    defaultConfig {
        minSdk = 24
        consumerProguardFiles("consumer-rules.pro")
    }
    sourceSets["main"].java.srcDir(layout.buildDirectory.dir("generated/uniffi"))
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    // Host JVM unit tests load the desktop libunipos.so (see the cargoHostBuild task).
    testOptions.unitTests.all {
        it.systemProperty("jna.library.path", rootDir.resolve("../target/debug").absolutePath)
    }
}

kotlin { jvmToolchain(17) }

dependencies {
    // uniffi's Kotlin uses JNA; on Android the AAR carries libjnidispatch.so for every ABI.
    implementation("net.java.dev.jna:jna:5.18.1@aar")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-core:1.10.2")
    testImplementation("net.java.dev.jna:jna:5.18.1")
    testImplementation("junit:junit:4.13.2")
}

val repoRoot = rootDir.resolve("..")

// 1. The Android libraries: cargo-ndk -> src/main/jniLibs/{arm64-v8a,armeabi-v7a,x86_64}/libunipos.so
val cargoNdkBuild by tasks.registering(Exec::class) {
    group = "rust"
    description = "Builds libunipos.so for the Android ABIs with cargo-ndk (needs the NDK)"
    workingDir = repoRoot
    commandLine("scripts/build-android-libs.sh")
}

// 2. The bindings, generated from a host build of the same crate (library mode reads the
//    metadata embedded in the .so; the API checksums match any build of the same source).
val cargoHostBuild by tasks.registering(Exec::class) {
    group = "rust"
    workingDir = repoRoot
    commandLine("cargo", "build", "-p", "unipos-ffi", "--features", "bindgen", "--lib", "--bin", "uniffi-bindgen")
}
val generateUniffiBindings by tasks.registering(Exec::class) {
    group = "rust"
    dependsOn(cargoHostBuild)
    workingDir = repoRoot
    val out = layout.buildDirectory.dir("generated/uniffi").get().asFile
    outputs.dir(out)
    commandLine(
        "target/debug/uniffi-bindgen", "generate",
        "--library", "target/debug/libunipos.so",
        "--language", "kotlin", "--no-format",
        "--out-dir", out.absolutePath,
    )
}

tasks.named("preBuild") { dependsOn(generateUniffiBindings, cargoNdkBuild) }
