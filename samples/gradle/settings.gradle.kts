// The dev.kmap plugin is not on the Gradle Plugin Portal: `mvn install` in the kmap repository
// puts the plugin jar and its marker (dev.kmap:dev.kmap.gradle.plugin) into ~/.m2.
pluginManagement {
    repositories {
        mavenLocal()
        gradlePluginPortal()
    }
}

rootProject.name = "kmap-gradle-sample"
