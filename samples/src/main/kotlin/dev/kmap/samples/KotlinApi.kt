package dev.kmap.samples

import dev.kmap.dsl.TimingTemplate.T4
import dev.kmap.dsl.scan
import dev.kmap.engine.PortState
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.scan
import dev.kmap.engine.scanFlow
import dev.kmap.kmap

// kmap from Kotlin: build a plan with the DSL, run it, or stream its events.
// Run: java -cp "samples/target/classes:…" dev.kmap.samples.KotlinApiKt [TARGET] [PORTS] [XML-FILE]
suspend fun main(args: Array<String>) {
    val target = args.getOrElse(0) { "127.0.0.1" }
    val ports = args.getOrElse(1) { "22,80,443" }
    val xmlFile = args.getOrElse(2) { "scan.xml" }
    val plan = scan {
        targets { host(target); exclude("127.0.0.2") }
        ports(ports)
        connect()
        skipDiscovery()
        timing(T4) { maxRetries = 2 }
    }
    val report = scan(plan)                                  // suspends until the whole ScanReport is in
    for (host in report.hosts) {
        println("${host.host.address}: open ${host.ports.filter { it.state == PortState.OPEN }.map { it.port }}")
    }
    scanFlow(plan).collect { e ->                            // or stream ScanEvents as they happen
        if (e is ScanEvent.PortFound && e.result.state == PortState.OPEN) println("found ${e.result.port}/tcp")
    }
    // the facade also writes the plan's outputs (nmap XML here), as the CLI's -oX would
    val r = kmap.scan { targets(target); ports(ports); connect(); skipDiscovery(); output { xml(xmlFile) } }
    println("${r.hosts.size} host(s) scanned, report in $xmlFile")
}
