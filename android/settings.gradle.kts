// unipos Android build. :core = the Kotlin wrapper over the Rust core (this file's owner: the FFI
// task); :app = the launcher app (its own task; included when present).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "unipos"
include(":core")
if (file("app/build.gradle.kts").exists()) include(":app")
