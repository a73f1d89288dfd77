// http-methods: the methods a web server says it supports (nmap's http-methods.nse).
description = "Sends an OPTIONS request for a path (/ by default) and reports the methods in the Allow header, and which of them are potentially risky (anything but GET, HEAD, POST and OPTIONS)."
categories("default", "safe")
argument("url-path", "the path to ask OPTIONS for", "/")

portRule(Shortport.http)

action {
    val path = arg("url-path", "/")
    val response = http.request("OPTIONS", path)
    val allow = (response.headers("Allow") + response.headers("Public")).flatMap { it.split(',') }.map { it.trim().uppercase() }.filter { it.isNotEmpty() }.distinct()
    if (allow.isEmpty()) return@action null  // as nmap: no Allow header, no output
    val risky = allow.filter { it !in setOf("GET", "HEAD", "POST", "OPTIONS") }
    val text = "\n  Supported Methods: ${allow.joinToString(" ")}" + (if (risky.isEmpty()) "" else "\n  Potentially risky methods: ${risky.joinToString(" ")}")
    result(text) {
        table("Supported Methods") { allow.forEach { add(it) } }
        if (risky.isNotEmpty()) table("Potentially risky methods") { risky.forEach { add(it) } }
    }
}
