// http-title: the title of a web server's page (nmap's http-title.nse).
description = "Shows the title of the page a web server returns for a path (/ by default), and where it redirects."
categories("default", "discovery", "safe")
argument("path", "the path to request", "/")

portRule(Shortport.http)

action {
    val response = http.get(arg("path", "/"))
    val location = response.header("Location")?.takeIf { response.status in 300..399 }
    val title = Regex("<title[^>]*>(.*?)</title>", setOf(RegexOption.IGNORE_CASE, RegexOption.DOT_MATCHES_ALL))
        .find(response.body)?.groupValues?.get(1)?.replace(Regex("\\s+"), " ")?.trim()
    val text = when {
        title != null && title.isNotEmpty() -> title
        location != null -> "Did not follow redirect to $location"
        else -> "Site doesn't have a title" + (response.header("Content-Type")?.let { " ($it)." } ?: ".")
    }
    result(text) {
        put("title", title)
        put("redirect_url", location)
        put("status", response.status)
    }
}
