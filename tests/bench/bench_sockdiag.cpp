// Looking one connection up in the kernel's table: sock_diag's exact look-up by address pair
// (sockdiag::lookUp, what FinScope does after a close) against a scan of /proc/net/tcp (what it
// did before), first with no other sockets, then beside N idle loopback connections.
// Usage: bench_sockdiag [N]  (default 2000)

#include "engine/socket/sockdiag.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>

#include <arpa/inet.h>
#include <cstdio>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

using namespace finscope;

namespace {

struct Connection
{
    int client = -1;
    int server = -1;
    native::SocketAddress local;
    native::SocketAddress peer;
};

int openListener(quint16 *port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) < 0
        || ::listen(fd, 4096) < 0) {
        return -1;
    }
    socklen_t len = sizeof(addr);
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len);
    *port = ntohs(addr.sin_port);
    return fd;
}

std::optional<Connection> connectOnce(int listener, quint16 port)
{
    Connection c;
    c.client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(port);
    if (c.client < 0 || ::connect(c.client, reinterpret_cast<sockaddr *>(&to), sizeof(to)) < 0)
        return std::nullopt;
    c.server = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (c.server < 0)
        return std::nullopt;
    sockaddr_in local{};
    socklen_t len = sizeof(local);
    ::getsockname(c.client, reinterpret_cast<sockaddr *>(&local), &len);
    c.local = {QHostAddress(ntohl(local.sin_addr.s_addr)), ntohs(local.sin_port)};
    c.peer = {QHostAddress::LocalHost, port};
    return c;
}

// The old way: every line of /proc/net/tcp, compared with the pair as /proc prints it.
bool procScan(const native::SocketAddress &local, const native::SocketAddress &peer)
{
    const auto hex = [](const native::SocketAddress &a) {
        const quint32 be = htonl(a.address.toIPv4Address());
        return QByteArray::number(be, 16).rightJustified(8, '0').toUpper() + ':'
               + QByteArray::number(a.port, 16).rightJustified(4, '0').toUpper();
    };
    const QByteArray wantLocal = hex(local);
    const QByteArray wantPeer = hex(peer);
    QFile table(QStringLiteral("/proc/net/tcp"));
    if (!table.open(QIODevice::ReadOnly))
        return false;
    table.readLine();
    while (!table.atEnd()) {
        const QList<QByteArray> fields = table.readLine().simplified().split(' ');
        if (fields.size() >= 4 && fields.at(1) == wantLocal && fields.at(2) == wantPeer)
            return true;
    }
    return false;
}

template<typename F>
double microsecondsPer(int runs, F &&f)
{
    QElapsedTimer t;
    t.start();
    for (int i = 0; i < runs; ++i)
        f();
    return double(t.nsecsElapsed()) / 1000.0 / runs;
}

void measure(const char *label, const Connection &c)
{
    const double diag = microsecondsPer(2000, [&] {
        const auto entry = sockdiag::lookUp(c.local, c.peer);
        if (!entry || !entry->found)
            std::fprintf(stderr, "sock_diag did not find the connection\n");
    });
    const double proc = microsecondsPer(50, [&] {
        if (!procScan(c.local, c.peer))
            std::fprintf(stderr, "/proc/net/tcp did not list the connection\n");
    });
    std::printf("%-34s sock_diag %8.1f us   /proc/net/tcp scan %9.1f us   (%.0fx)\n",
                label,
                diag,
                proc,
                proc / diag);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int extra = argc > 1 ? std::atoi(argv[1]) : 2000;
    quint16 port = 0;
    const int listener = openListener(&port);
    if (listener < 0) {
        std::fprintf(stderr, "cannot listen on loopback\n");
        return 1;
    }
    const auto watched = connectOnce(listener, port);
    if (!watched) {
        std::fprintf(stderr, "cannot connect on loopback\n");
        return 1;
    }
    std::printf("one connection looked up by its address pair, mean per look-up\n");
    measure("alone", *watched);
    std::vector<Connection> idle;
    for (int i = 0; i < extra; ++i) {
        const auto c = connectOnce(listener, port);
        if (!c) {
            std::fprintf(stderr, "stopped at %d connections\n", i);
            break;
        }
        idle.push_back(*c);
    }
    const QByteArray label
        = QByteArray::number(qsizetype(idle.size())) + " idle connections beside it";
    measure(label.constData(), *watched);
    for (const Connection &c : idle) {
        ::close(c.client);
        ::close(c.server);
    }
    return 0;
}
