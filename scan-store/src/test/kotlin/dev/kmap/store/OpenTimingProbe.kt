package dev.kmap.store

import dev.kmap.store.internal.Scans
import dev.kmap.store.internal.StoreDatabase
import org.jetbrains.exposed.v1.jdbc.selectAll

/** Not a test: times opening a store (`java -cp ... dev.kmap.store.OpenTimingProbeKt URL`). */
fun main(args: Array<String>) {
    var t = System.nanoTime()
    fun lap(what: String) { val now = System.nanoTime(); println("$what: ${(now - t) / 1_000_000} ms"); t = now }
    Class.forName("org.sqlite.JDBC"); lap("sqlite driver class")
    val db = StoreDatabase.open(args[0]); lap("open (connect, schema check)")
    db.tx("x") { Scans.selectAll().limit(1).toList() }; lap("first Exposed transaction")
    db.tx("x") { Scans.selectAll().limit(1).toList() }; lap("second Exposed transaction")
    db.close()
}
