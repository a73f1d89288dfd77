#!/usr/bin/env kotlin
// A standard .main.kts scan script: @file:DependsOn pulls a library from Maven Central,
// @file:Import shares helpers, and kmap's API is on the class path when run by `kmap run`.
// bin/kmap run samples/scripts/scan.main.kts [TARGET] [PORTS]
@file:DependsOn("org.json:json:20240303")
@file:Import("helpers.main.kts")

import dev.kmap.dsl.scan
import dev.kmap.engine.PortState
import kotlinx.coroutines.runBlocking
import org.json.JSONObject

val target = args.getOrElse(0) { "127.0.0.1" }
val plan = scan {
    targets(target)
    ports(args.getOrElse(1) { "1-1024" })
    connect()
    skipDiscovery()
}
val report = runBlocking { dev.kmap.engine.scan(plan) }
for (host in report.hosts) {
    val open = host.ports.filter { it.state == PortState.OPEN }.map { it.port }
    println(openPortLine(host.host.address.toString(), open))
    println(JSONObject(mapOf("host" to host.host.address.toString(), "open" to open)).toString())
}
