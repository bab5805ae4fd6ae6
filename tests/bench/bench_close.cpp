// What one short connection costs at close, beside N other sockets on the machine: a client's
// full run through the engine (connect, send, close, and settling: both ends looked up in the
// kernel table until TIME_WAIT or gone), wall time and CPU time, at each N. In the same run, what
// the old code paid per close: a scan of /proc/net/tcp over the same table (it scanned once at
// close, then every 50 ms for 2 s: 41 scans).
// Usage: bench_close [N...]  (default 600 2000 10000; N counts sockets, made here as pairs of
// loopback connections, so N/2 connections)

#include "engine/core/action.h"
#include "engine/run/actionrunner.h"
#include "engine/run/settler.h"
#include "engine/run/workbench.h"
#include "engine/socket/nativesocket.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QTimer>

#include <algorithm>
#include <arpa/inet.h>
#include <cstdio>
#include <ctime>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

using namespace finscope;

namespace {

constexpr int RunsPerN = 20;
constexpr int OldScansPerClose = 41;

qint64 cpuNs()
{
    timespec t{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return qint64(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

// The other sockets: pairs of idle loopback connections on a listener of their own.
class OtherSockets
{
public:
    OtherSockets()
    {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof(addr);
        m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (m_listener >= 0 && ::bind(m_listener, reinterpret_cast<sockaddr *>(&addr), len) == 0
            && ::listen(m_listener, 4096) == 0
            && ::getsockname(m_listener, reinterpret_cast<sockaddr *>(&addr), &len) == 0) {
            m_to = addr;
        }
    }
    ~OtherSockets()
    {
        for (const int fd : m_fds)
            ::close(fd);
        if (m_listener >= 0)
            ::close(m_listener);
    }
    int count() const { return int(m_fds.size()); }
    // Opens connections until count() sockets are open; false when the system refused one.
    bool growTo(int sockets)
    {
        while (count() + 2 <= sockets) {
            const int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (client < 0)
                return false;
            if (::connect(client, reinterpret_cast<const sockaddr *>(&m_to), sizeof(m_to)) != 0) {
                ::close(client);
                return false;
            }
            const int server = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
            m_fds.push_back(client);
            if (server < 0)
                return false;
            m_fds.push_back(server);
        }
        return true;
    }

private:
    int m_listener = -1;
    sockaddr_in m_to{};
    std::vector<int> m_fds;
};

struct RunCost
{
    double wallMs = 0;
    double cpuMs = 0;
    bool ok = false;
};

// One client through the engine against a server in the same process: connect, send 5 bytes,
// close; the server reads to EOF and closes; both ends settle.
RunCost oneShortClient()
{
    Workbench bench;
    QString error;
    if (!bench.listen(QHostAddress::LocalHost, 0, &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return {};
    }
    const auto clientActions
        = Action::parseList({QStringLiteral("send hello"), QStringLiteral("close")}, &error);
    const auto serverActions
        = Action::parseList({QStringLiteral("read-until-eof"), QStringLiteral("close")}, &error);
    Settler settler;
    QEventLoop loop;
    QList<ActionRunner *> runners;
    bool settledAll = false;
    const auto maybeSettle = [&] {
        if (runners.size() < 2
            || !std::all_of(runners.begin(), runners.end(), [](const ActionRunner *r) {
                   return r->isFinished();
               })) {
            return;
        }
        settler.settle(bench.clients() + bench.serverConnections(), 5000);
    };
    QObject::connect(&settler, &Settler::done, &loop, [&](bool all) {
        settledAll = all;
        loop.quit();
    });
    QObject::connect(&bench, &Workbench::serverConnectionAdded, &loop, [&](Endpoint *end) {
        auto *runner = new ActionRunner(end, *serverActions, &bench);
        runners.append(runner);
        QObject::connect(runner, &ActionRunner::finished, &loop, maybeSettle);
        runner->start();
    });
    const qint64 cpuStart = cpuNs();
    QElapsedTimer wall;
    wall.start();
    Endpoint *client = bench.connectClient(QStringLiteral("127.0.0.1"), bench.listenPort());
    auto *runner = new ActionRunner(client, *clientActions, &bench);
    runners.append(runner);
    QObject::connect(runner, &ActionRunner::finished, &loop, maybeSettle);
    QObject::connect(client, &Endpoint::connected, runner, &ActionRunner::start);
    QTimer::singleShot(10000, &loop, &QEventLoop::quit);
    loop.exec();
    RunCost cost;
    cost.wallMs = double(wall.nsecsElapsed()) / 1e6;
    cost.cpuMs = double(cpuNs() - cpuStart) / 1e6;
    cost.ok = settledAll;
    return cost;
}

// The old way: every line of /proc/net/tcp, compared with one pair as /proc prints it. Returns
// how many entries the table held.
int procScan(const QByteArray &wantLocal, const QByteArray &wantPeer)
{
    QFile table(QStringLiteral("/proc/net/tcp"));
    if (!table.open(QIODevice::ReadOnly))
        return 0;
    // Read to the end in one go: QFile::atEnd() on a /proc file can report the end early (it
    // stopped at 8,191 of 16,085 lines here).
    const QList<QByteArray> lines = table.readAll().split('\n');
    int entries = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QList<QByteArray> fields = lines.at(i).simplified().split(' ');
        if (fields.size() < 4)
            continue;
        ++entries;
        if (fields.at(1) == wantLocal && fields.at(2) == wantPeer)
            break;
    }
    return entries;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values.empty() ? 0 : values[values.size() / 2];
}

void measure(int others)
{
    std::vector<double> wall;
    std::vector<double> cpu;
    int failed = 0;
    for (int i = 0; i < RunsPerN; ++i) {
        const RunCost cost = oneShortClient();
        if (!cost.ok)
            ++failed;
        wall.push_back(cost.wallMs);
        cpu.push_back(cost.cpuMs);
    }
    // The old code's scan, timed for a pair that is not in the table (it read every line).
    const qint64 cpuStart = cpuNs();
    QElapsedTimer t;
    t.start();
    constexpr int Scans = 10;
    int entries = 0;
    for (int i = 0; i < Scans; ++i)
        entries = procScan("0100007F:0001", "0100007F:0001");
    const double scanMs = double(t.nsecsElapsed()) / 1e6 / Scans;
    const double scanCpuMs = double(cpuNs() - cpuStart) / 1e6 / Scans;
    std::printf("%6d  %7d  %9.2f  %9.2f  %10.2f  %12.1f%s\n",
                others,
                entries,
                median(wall),
                median(cpu),
                scanMs,
                scanCpuMs * OldScansPerClose,
                failed ? "  (some runs did not settle)" : "");
    std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QList<int> counts;
    for (int i = 1; i < argc; ++i)
        counts.append(std::atoi(argv[i]));
    if (counts.isEmpty())
        counts = {600, 2000, 10000};
    std::sort(counts.begin(), counts.end());
    const qint64 limit = native::raiseOpenFileLimit();
    if (limit >= 0 && limit < counts.last() + 100) {
        std::fprintf(stderr,
                     "the open-file limit (%lld) is too low for %d sockets: raise the hard "
                     "limit (ulimit -Hn) or pass smaller counts\n",
                     static_cast<long long>(limit),
                     counts.last());
    }
    std::printf(
        "one short client (connect, send, close, settle), median of %d runs, beside N "
        "other sockets;\nthe old /proc/net/tcp scan of the same table (its IPv4 entries on the "
        "whole machine), once and as CPU per close (%d scans)\n\n",
        RunsPerN,
        OldScansPerClose);
    std::printf("     N    table  wall (ms)   CPU (ms)  scan (ms)  old CPU/close (ms)\n");
    OtherSockets others;
    measure(0);
    for (const int n : std::as_const(counts)) {
        if (!others.growTo(n)) {
            std::fprintf(stderr, "stopped at %d sockets: %s\n", others.count(), strerror(errno));
            break;
        }
        measure(others.count());
    }
    return 0;
}
