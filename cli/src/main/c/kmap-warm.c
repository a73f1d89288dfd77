/*
 * kmap-warm: bin/kmap's client of a warm kmap process (KMAP_WARM=1; the server is
 * cli/src/main/kotlin/dev/kmap/cli/WarmStart.kt, which documents the protocol).
 *
 * Usage: kmap-warm DIR LAUNCHER [ARGS...]
 * Connects to DIR/<hash of working directory and network namespace>.sock, hands over its
 * standard input, output and error, working directory, network namespace, umask, ARGS and
 * environment, forwards SIGINT, SIGTERM, SIGHUP and SIGQUIT to the warm process, and exits with
 * the scan's exit code. When no warm process takes the job (none there, or it refused), nothing
 * has run: it executes LAUNCHER ARGS with KMAP_WARM_COLD=1, which runs the scan in a new JVM.
 * DIR must be a directory of the user's only (mode 0700, not a link), the socket the user's own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

extern char **environ;

#define MAGIC "kmap-warm-1"
#define MAX_REQUEST (1 << 20)

static volatile sig_atomic_t server_pid = 0;
static volatile sig_atomic_t last_signal = 0; /* the latest signal, for the exit status */
static volatile sig_atomic_t pending = 0;     /* one that came before the warm process was known */

static void forward(int sig) {
    last_signal = sig;
    if (server_pid > 0)
        kill(server_pid, sig);
    else
        pending = sig;
}

static void cold(char **launcher_argv) {
    if (last_signal) exit(128 + last_signal); /* interrupted before anything ran */
    setenv("KMAP_WARM_COLD", "1", 1);
    execv(launcher_argv[0], launcher_argv);
    fprintf(stderr, "kmap: cannot run %s: %s\n", launcher_argv[0], strerror(errno));
    exit(2);
}

static int append(char *buf, size_t *len, const char *s) {
    size_t n = strlen(s) + 1;
    if (*len + n > MAX_REQUEST) return -1;
    memcpy(buf + *len, s, n);
    *len += n;
    return 0;
}

static int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads exactly n bytes; 0 on success, -1 on EOF or error. */
static int read_all(int fd, unsigned char *p, size_t n) {
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: kmap-warm DIR LAUNCHER [ARGS...]\n");
        return 2;
    }
    const char *dir = argv[1];
    char **launcher_argv = argv + 2;
    char cwd[4096], netns[128];
    ssize_t nl = readlink("/proc/self/ns/net", netns, sizeof netns - 1);
    if (getcwd(cwd, sizeof cwd) == NULL || nl <= 0) cold(launcher_argv);
    netns[nl] = 0;

    /* the socket's name: FNV-1a (64 bits) of cwd NUL netns, as WarmStart.socketName */
    uint64_t h = 14695981039346656037ULL;
    for (const char *p = cwd;; p++) {
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
        if (!*p) break;
    }
    for (const char *p = netns; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ULL;

    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    struct stat st;
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0) cold(launcher_argv);
    if ((size_t)snprintf(addr.sun_path, sizeof addr.sun_path, "%s/%016llx.sock", dir, (unsigned long long)h) >= sizeof addr.sun_path) cold(launcher_argv);
    if (lstat(addr.sun_path, &st) != 0 || !S_ISSOCK(st.st_mode) || st.st_uid != geteuid()) cold(launcher_argv);
    /* a signal is recorded until the warm process is known, then forwarded to it */
    struct sigaction sa = {.sa_handler = forward};
    sigemptyset(&sa.sa_mask);
    int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) sigaction(sigs[i], &sa, NULL);
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0 || connect(s, (struct sockaddr *)&addr, sizeof addr) != 0) cold(launcher_argv);

    /* the request: MAGIC, cwd, netns, umask, argc, args..., environment, each ended by a NUL */
    char *req = malloc(MAX_REQUEST);
    size_t len = 0;
    char num[32];
    mode_t mask = umask(022);
    umask(mask);
    int ok = req != NULL && append(req, &len, MAGIC) == 0 && append(req, &len, cwd) == 0 && append(req, &len, netns) == 0;
    snprintf(num, sizeof num, "%u", (unsigned)mask);
    ok = ok && append(req, &len, num) == 0;
    int nargs = argc - 3;
    snprintf(num, sizeof num, "%d", nargs);
    ok = ok && append(req, &len, num) == 0;
    for (int i = 0; ok && i < nargs; i++) ok = append(req, &len, argv[3 + i]) == 0;
    for (char **e = environ; ok && *e; e++) ok = append(req, &len, *e) == 0;
    if (!ok) cold(launcher_argv);

    /* the length, with standard input, output and error attached */
    uint32_t len32 = (uint32_t)len;
    unsigned char le[4] = {len32 & 0xff, (len32 >> 8) & 0xff, (len32 >> 16) & 0xff, (len32 >> 24) & 0xff};
    struct iovec iov = {.iov_base = le, .iov_len = 4};
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(3 * sizeof(int))];
    } control;
    memset(&control, 0, sizeof control);
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(3 * sizeof(int));
    int fds[3] = {0, 1, 2};
    memcpy(CMSG_DATA(c), fds, sizeof fds);
    if (sendmsg(s, &msg, MSG_NOSIGNAL) != 4 || write_all(s, req, len) != 0) cold(launcher_argv);
    free(req);

    /* signals go to the warm process from here on: it stops the scan and writes partial results */
    struct ucred cred;
    socklen_t cl = sizeof cred;
    if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &cl) != 0 || cred.uid != geteuid()) cold(launcher_argv);
    server_pid = cred.pid;

    unsigned char answer;
    if (read_all(s, &answer, 1) != 0 || answer != 'A') cold(launcher_argv); /* refused: nothing ran */
    if (pending) kill(server_pid, pending);
    unsigned char code[4];
    if (read_all(s, code, 4) == 0) return (int)(code[0] | code[1] << 8 | code[2] << 16 | (unsigned)code[3] << 24) & 0xff;
    /* the warm process ended without an exit code: killed, or stopped by a forwarded signal */
    return last_signal ? 128 + last_signal : 1;
}
