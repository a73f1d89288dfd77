@file:JvmName("WarmupTrainingMain")

package dev.kmap.store.internal

/** A child JVM for WarmupTest: the store's warm-up as the CLI starts it for a store it opens ahead (drivers = false). */
fun main() {
    StoreDatabase.Warmup.start(drivers = false)
    println("loaded=" + Class.forName("org.postgresql.core.v3.QueryExecutorImpl", false, StoreDatabase::class.java.classLoader).name)
}
