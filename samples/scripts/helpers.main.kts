// Imported by scan.main.kts through @file:Import.
fun openPortLine(host: String, ports: List<Int>): String =
    if (ports.isEmpty()) "$host: no open ports" else "$host: open ${ports.joinToString(",")}"
