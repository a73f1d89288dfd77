// http-robots: the Disallow entries of /robots.txt (nmap calls it http-robots.txt.nse; the id
// here has no dot so that its arguments read http-robots.<name>).
description = "Fetches /robots.txt and lists its Disallow entries (the paths a site asks crawlers to skip), at most a given number."
categories("default", "discovery", "safe")
argument("path", "where robots.txt is", "/robots.txt")
argument("max", "the most entries shown", "50")

portRule(Shortport.http)

action {
    val max = arg("max", "50").toIntOrNull()?.takeIf { it > 0 } ?: error("http-robots.max must be a positive number: ${arg("max")}")
    val response = http.get(arg("path", "/robots.txt"))
    if (response.status != 200) return@action null
    val entries = response.body.lineSequence()
        .map { it.substringBefore('#').trim() }
        .filter { it.startsWith("disallow:", ignoreCase = true) }
        .map { it.substringAfter(':').trim() }
        .filter { it.isNotEmpty() }.distinct().toList()
    if (entries.isEmpty()) return@action null
    val shown = entries.take(max)
    val text = "${entries.size} disallowed ${if (entries.size == 1) "entry" else "entries"}" +
        (if (shown.size < entries.size) " (${shown.size} shown)" else "") + "\n  ${shown.joinToString(" ")}"
    result(text) {
        put("count", entries.size)
        table("disallowed") { shown.forEach { add(it) } }
    }
}
