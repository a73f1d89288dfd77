# A tiny web server for the script tests, run inside a lab namespace: fixed headers, a title, a redirect.
# python3 lab_http.py PORT
import sys
from http.server import HTTPServer, BaseHTTPRequestHandler

PAGE = b"<html><head><title>\n  kmap lab   page </title></head><body>ok</body></html>"

class Handler(BaseHTTPRequestHandler):
    def version_string(self):
        return "kmap-lab/1.0"

    def date_time_string(self, timestamp=None):
        return "Sat, 21 Nov 2026 00:00:00 GMT"

    def head(self, body):
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/index.html")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return b""
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.send_header("X-Lab", "kms")
        self.end_headers()
        return PAGE

    def do_GET(self):
        self.wfile.write(self.head(True))

    def do_HEAD(self):
        self.head(False)

    def log_message(self, *args):
        pass

class Server(HTTPServer):
    import socket
    address_family = socket.AF_INET6

Server(("::", int(sys.argv[1])), Handler).serve_forever()
