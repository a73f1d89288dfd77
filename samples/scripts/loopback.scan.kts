// A scan script that declares a plan, adds its own port check, runs it and prints the report.
// bin/kmap run samples/scripts/loopback.scan.kts [PORTS]      (default ports 1-1024 of 127.0.0.1)
description = "Scans 127.0.0.1 and reports which open ports say something first."
portRule { isOpen }
action {
    val first = tcp(timeout = 1.seconds) { receiveLine() }
    if (first == null) "silent until spoken to" else "speaks first: ${first.take(60)}"
}

val report = run(scan {
    targets("127.0.0.1")
    ports(args.firstOrNull() ?: "1-1024")
    connect()
    skipDiscovery()
    script("banner") { arg("timeout", "1") }
})
print(report)
