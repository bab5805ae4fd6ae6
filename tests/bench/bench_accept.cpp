// 1,000 clients connecting at once: how long `finscope-cli server 127.0.0.1:0 --connections N
// close` takes from the first connect until it has accepted (and recorded) every one and exited,
// against a python3 accept loop doing the same in the same run.
// Usage: bench_accept [FINSCOPE_CLI] [N]  (default: the finscope-cli built beside this bench; 1000)

#include "engine/socket/nativesocket.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>

#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

using namespace finscope;

namespace {

const char *const PythonAcceptLoop = R"(import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(socket.SOMAXCONN)
print("listening on 127.0.0.1:%d" % s.getsockname()[1], flush=True)
for _ in range(int(sys.argv[1])):
    c, _ = s.accept()
    c.close()
)";

struct Outcome
{
    double ms = -1;
    int exitCode = -1;
    int connected = 0;
};

// Starts the server, connects n non-blocking clients at once, and times until the server exits.
Outcome run(const QString &program, const QStringList &args, int n)
{
    Outcome outcome;
    QProcess server;
    server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    server.start(program, args);
    QElapsedTimer waited;
    waited.start();
    while (!server.canReadLine() && waited.elapsed() < 10000)
        server.waitForReadyRead(1000);
    const QByteArray line = server.readLine().trimmed();
    const QByteArray prefix = "listening on 127.0.0.1:";
    if (!line.startsWith(prefix)) {
        std::fprintf(stderr, "%s did not start listening\n", qPrintable(program));
        server.kill();
        server.waitForFinished();
        return outcome;
    }
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(quint16(line.mid(prefix.size()).toUInt()));
    std::vector<int> clients;
    clients.reserve(size_t(n));
    QElapsedTimer t;
    t.start();
    for (int i = 0; i < n; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            std::fprintf(stderr, "socket: %s\n", std::strerror(errno));
            break;
        }
        clients.push_back(fd);
        if (::connect(fd, reinterpret_cast<sockaddr *>(&to), sizeof(to)) == 0
            || errno == EINPROGRESS) {
            ++outcome.connected;
        }
    }
    server.waitForFinished(120000);
    outcome.ms = double(t.nsecsElapsed()) / 1e6;
    outcome.exitCode = server.exitStatus() == QProcess::NormalExit ? server.exitCode() : -1;
    for (const int fd : clients)
        ::close(fd);
    return outcome;
}

void print(const char *label, const Outcome &o)
{
    std::printf(
        "%-52s %8.1f ms   exit %d   (%d connects started)\n", label, o.ms, o.exitCode, o.connected);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QString cli = argc > 1 ? QString::fromLocal8Bit(argv[1])
                           : QDir(QCoreApplication::applicationDirPath())
                                 .filePath(QStringLiteral("../../src/cli/finscope-cli"));
    const int n = argc > 2 ? std::atoi(argv[2]) : 1000;
    if (!QFileInfo(cli).isExecutable()) {
        std::fprintf(stderr, "no finscope-cli at %s: pass its path\n", qPrintable(cli));
        return 1;
    }
    native::raiseOpenFileLimit();
    const QString count = QString::number(n);
    std::printf("%d clients connect at once (never sending); time from the first connect until "
                "the server has accepted every one and exited\n\n",
                n);
    for (int round = 0; round < 3; ++round) {
        print("finscope-cli server --connections N --quiet close",
              run(cli,
                  {QStringLiteral("server"),
                   QStringLiteral("127.0.0.1:0"),
                   QStringLiteral("--connections"),
                   count,
                   QStringLiteral("--quiet"),
                   QStringLiteral("--settle"),
                   QStringLiteral("0"),
                   QStringLiteral("--timeout"),
                   QStringLiteral("60"),
                   QStringLiteral("close")},
                  n));
        print("python3 accept loop (accept, close)",
              run(QStringLiteral("python3"),
                  {QStringLiteral("-c"), QString::fromLatin1(PythonAcceptLoop), count},
                  n));
    }
    return 0;
}
