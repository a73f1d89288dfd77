// http-headers: the headers a web server sends (nmap's http-headers.nse).
description = "Requests a path (/ by default, with HEAD then GET if HEAD fails) and shows the response's status line and headers."
categories("discovery", "safe")
argument("path", "the path to request", "/")
argument("method", "HEAD or GET", "HEAD")

portRule(Shortport.http)

action {
    val path = arg("path", "/")
    var method = arg("method", "HEAD").uppercase()
    var response = runCatching { http.request(method, path) }.getOrNull()
    if (response == null || response.status >= 400 && method == "HEAD") {
        method = "GET"
        response = http.get(path)
    }
    val lines = listOf(response.statusLine) + response.headers.map { (name, value) -> "$name: $value" }
    result("\n" + lines.joinToString("\n") { "  $it" } + "\n  \n  (Request type: $method)") {
        put("status", response.status)
        put("method", method)
        table("headers") { response.headers.forEach { (name, value) -> add("$name: $value") } }
    }
}
