import dev.kmap.dsl.DnsResolution

plugins {
    id("dev.kmap") version "0.1.0-SNAPSHOT"
}

// The kmapEngine configuration resolves dev.kmap:scan-engine (and its Kotlin and coroutines)
// from here, for the isolated worker that runs the scans.
repositories {
    mavenLocal()
    mavenCentral()
}

kmap {
    // Scans only this machine: start a listener first, e.g.
    //   python3 -m http.server 8080 --bind 127.0.0.1
    scans.register("local") {
        targets("127.0.0.1")
        ports("22,23,80,443,8080")
        scan { connect(); skipDiscovery(); dns(DnsResolution.NEVER) }
        expect {
            open(8080)
            closed(23)
            nothingElseOpen()
        }
        baseline(file("kmap/local-baseline.json"))
        reports { sarif(); junit(); html(); xml() }
    }

    // The same scan judged only against its baseline; violations are logged, not fatal.
    scans.register("drift") {
        targets("127.0.0.1")
        ports(top = 1000)
        scan { connect(); skipDiscovery(); dns(DnsResolution.NEVER) }
        expect { noChangeFromBaseline() }
        baseline(file("kmap/drift-baseline.json"))
        reports { junit() }
        ignoreFailures.set(true)
    }
}
