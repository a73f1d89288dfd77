package dev.kmap.cli

import com.github.ajalt.clikt.core.UsageError

/**
 * A mistake in what the user asked for: [Cli] prints `kmap: <message>` and `hint: <hint>` on
 * stderr and exits 2, without a stack trace. A Clikt [UsageError], so option conversions can
 * raise it with its hint intact.
 */
internal class UserError(override val message: String, val hint: String = Hints.HELP) : UsageError(message)

/** The hints shown under user errors. */
internal object Hints {
    const val HELP = "kmap --help lists every option"
    const val PORTS = "ports look like 22, 1-1024, -, U:53,T:80-90, http (see kmap --help)"
    const val TARGETS = "targets look like 10.0.0.1, 10.0.0.0/24, 10.0.0-3.1-254, 10.0.0.5-10.0.0.20, host.example"
    const val FILE = "check the path and its permissions (- reads standard input)"
    const val OUTPUT = "check that the directory exists and is writable (- writes to standard output)"
    const val TIME = "times look like 500ms, 30s, 5m, 1h"
    const val NOT_YET = "kmap -sT (connect scan) with -p, -Pn, -T, timing and output options works today"
    const val EXPECT = "expectation files hold one rule per line, e.g. open 443, closed 23, nothing-else-open (see kmap --help)"
    const val BASELINE = "write a baseline with kmap --save-baseline FILE ... and pass it with --baseline FILE"
    const val SCRIPTS = "scripts are chosen by name (banner), glob (http-*), category (default, safe) or a .scan.kts path; args look like name=value,script.name=value"
    const val RAW = "the connect scan -sT works without privileges; raw scans arrive with the packet module"
}
