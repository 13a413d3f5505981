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
    // Pinned: the NDK that links libunipos.so for the device ABIs (cargo-ndk reads ANDROID_NDK_HOME,
    // set from it below). Install with `sdkmanager "ndk;27.2.12479018"`.
    ndkVersion = "27.2.12479018"
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
val rustSources = fileTree(repoRoot.resolve("rust-core")) { include("**/*.rs", "**/Cargo.toml") }
val jniLibs = layout.projectDirectory.dir("src/main/jniLibs")

// 1. The Android libraries: cargo-ndk -> src/main/jniLibs/{arm64-v8a,armeabi-v7a,x86_64}/libunipos.so
val cargoNdkBuild by tasks.registering(Exec::class) {
    group = "rust"
    description = "Builds libunipos.so for the Android ABIs with cargo-ndk (needs the pinned NDK)"
    inputs.files(rustSources)
    inputs.file(repoRoot.resolve("Cargo.lock"))
    inputs.file(repoRoot.resolve("Cargo.toml"))
    outputs.dir(jniLibs)
    workingDir = repoRoot
    environment("ANDROID_NDK_HOME", android.ndkDirectory.absolutePath)
    commandLine("scripts/build-android-libs.sh")
}

// 2. uniffi-bindgen itself is a host tool (feature `bindgen`): built for the workstation.
val hostTarget = repoRoot.resolve("target/debug")
val cargoBindgenBuild by tasks.registering(Exec::class) {
    group = "rust"
    description = "Builds the uniffi-bindgen host tool"
    inputs.files(rustSources)
    inputs.file(repoRoot.resolve("Cargo.lock"))
    outputs.file(hostTarget.resolve("uniffi-bindgen"))
    workingDir = repoRoot
    commandLine("cargo", "build", "-p", "unipos-ffi", "--features", "bindgen", "--bin", "uniffi-bindgen")
}

// 3. The bindings, generated from the ANDROID library the app ships (library mode reads the
//    metadata embedded in that .so), so the Kotlin API and the checksums are those of the shipped
//    code. (The host scripts, without the NDK, generate them from target/debug/libunipos.so.)
val generateUniffiBindings by tasks.registering(Exec::class) {
    group = "rust"
    dependsOn(cargoNdkBuild, cargoBindgenBuild)
    val so = jniLibs.file("arm64-v8a/libunipos.so")
    val out = layout.buildDirectory.dir("generated/uniffi")
    inputs.file(so)
    outputs.dir(out)
    workingDir = repoRoot
    commandLine(
        hostTarget.resolve("uniffi-bindgen").absolutePath, "generate",
        "--library", so.asFile.absolutePath,
        "--language", "kotlin", "--no-format",
        "--out-dir", out.get().asFile.absolutePath,
    )
}

// Host JVM unit tests load the desktop library.
val cargoHostBuild by tasks.registering(Exec::class) {
    group = "rust"
    inputs.files(rustSources)
    outputs.file(hostTarget.resolve("libunipos.so"))
    workingDir = repoRoot
    commandLine("cargo", "build", "-p", "unipos-ffi", "--lib")
}

tasks.named("preBuild") { dependsOn(generateUniffiBindings, cargoNdkBuild) }
tasks.withType<Test>().configureEach { dependsOn(cargoHostBuild) }
