// The app with a thousand connections (offscreen, in this process): how long the window takes to
// accept 1,000 short clients (connect, send a line, close; tests/bench/clients.py) against
// finscope-cli server taking the same clients in the same run, then the window's idle CPU over
// 10 s and its RSS; then 1,000 idle open connections more. Beside it, 1,000 idle open connections
// to finscope-cli server and to socat (fork per connection), CPU over 10 s from /proc/PID/stat.
// Usage: bench_appaccept [N]  (default 1000)

#include "engine/run/workbench.h"
#include "mainwindow.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QThread>
#include <QTimer>

#include <cstdio>
#include <functional>
#include <unistd.h>

using namespace finscope;

namespace {

const QString Clients = QStringLiteral(FINSCOPE_BENCH_DIR "/clients.py");
const QString Cli = QStringLiteral(FINSCOPE_CLI);
constexpr int IdleMs = 10'000;

bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        if (!done())
            QThread::msleep(1);
    }
    return true;
}

void runLoop(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

// utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat).
qint64 cpuTicks(qint64 pid)
{
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray stat = file.readAll();
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    return fields.size() > 12 ? fields.at(11).toLongLong() + fields.at(12).toLongLong() : 0;
}

// The process and its children (socat forks one per connection).
qint64 treeTicks(qint64 pid)
{
    qint64 ticks = cpuTicks(pid);
    const QStringList tasks = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString &entry : tasks) {
        bool number = false;
        const qint64 child = entry.toLongLong(&number);
        if (!number || child == pid)
            continue;
        QFile file(QStringLiteral("/proc/%1/stat").arg(child));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QByteArray stat = file.readAll();
        const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
        if (fields.size() > 12 && fields.at(1).toLongLong() == pid)
            ticks += fields.at(11).toLongLong() + fields.at(12).toLongLong();
    }
    return ticks;
}

// Percent of one core used over IdleMs while this process's event loop runs.
double idleCpu(const std::function<qint64()> &ticks)
{
    const qint64 before = ticks();
    QElapsedTimer wall;
    wall.start();
    runLoop(IdleMs);
    const double seconds = double(ticks() - before) / double(sysconf(_SC_CLK_TCK));
    return 100.0 * seconds / (double(wall.elapsed()) / 1000.0);
}

qint64 rssKiB(qint64 pid)
{
    QFile file(QStringLiteral("/proc/%1/status").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return 0;
}

QProcess *startClients(const char *mode, int n, quint16 port)
{
    auto *clients = new QProcess;
    clients->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    clients->start(QStringLiteral("python3"),
                   {Clients, QString::fromLatin1(mode), QString::number(n), QString::number(port)});
    return clients;
}

// finscope-cli server for n connections; counts the accept lines it prints.
struct CliServer
{
    QProcess process;
    quint16 port = 0;
    int accepted = 0;
    QByteArray pending;

    bool start(int n)
    {
        process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        QObject::connect(&process, &QProcess::readyReadStandardOutput, &process, [this] {
            pending += process.readAllStandardOutput();
            qsizetype eol;
            while ((eol = pending.indexOf('\n')) >= 0) {
                const QByteArray line = pending.left(eol);
                pending.remove(0, eol + 1);
                if (line.startsWith("listening on "))
                    port = quint16(line.mid(line.lastIndexOf(':') + 1).toUInt());
                else if (line.contains("  accept  "))
                    ++accepted;
            }
        });
        process.start(Cli,
                      {QStringLiteral("server"),
                       QStringLiteral("0"),
                       QStringLiteral("--connections"),
                       QString::number(n),
                       QStringLiteral("--timeout"),
                       QStringLiteral("600"),
                       QStringLiteral("--settle"),
                       QStringLiteral("0"),
                       QStringLiteral("read-until-eof"),
                       QStringLiteral("close")});
        return waitFor([this] { return port != 0; }, 10'000);
    }
};

void finish(QProcess *clients)
{
    clients->closeWriteChannel();
    if (!clients->waitForFinished(30'000))
        clients->kill();
    delete clients;
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true); // no autosave or settings of the user's
    const int n = argc > 1 ? std::atoi(argv[1]) : 1000;
    const qint64 self = QCoreApplication::applicationPid();

    std::printf("%d short clients (connect, send a line, close), then idle:\n", n);
    MainWindow window;
    if (!window.startDemo()) {
        std::fprintf(stderr, "the window could not listen\n");
        return 1;
    }
    window.show();
    Workbench *bench = window.workbench();
    runLoop(500);
    QElapsedTimer took;
    took.start();
    QProcess *clients = startClients("short", n, bench->listenPort());
    if (!waitFor([&] { return bench->serverConnections().size() >= n; }, 300'000))
        std::printf("  app: only %lld accepted\n", qlonglong(bench->serverConnections().size()));
    const double appAccept = double(took.elapsed()) / 1000.0;
    finish(clients);
    runLoop(1000); // the EOFs are read
    qsizetype polling = 0;
    for (const Endpoint *ep : bench->serverConnections())
        polling += ep->isPolling();
    const double appIdle = idleCpu([&] { return cpuTicks(self); });
    std::printf("  app (finscope window)   all accepted after %6.2f s; idle %5.2f %% of a core, "
                "RSS %lld MiB, %lld of %lld ends polling\n",
                appAccept,
                appIdle,
                rssKiB(self) / 1024,
                qlonglong(polling),
                qlonglong(bench->serverConnections().size()));

    {
        CliServer cli;
        if (!cli.start(n))
            return 1;
        took.restart();
        QProcess *shortClients = startClients("short", n, cli.port);
        waitFor([&] { return cli.accepted >= n; }, 300'000);
        std::printf("  finscope-cli server     all accepted after %6.2f s\n",
                    double(took.elapsed()) / 1000.0);
        finish(shortClients);
        cli.process.waitForFinished(30'000);
    }

    std::printf("%d idle open connections more to the app:\n", n);
    clients = startClients("idle", n, bench->listenPort());
    waitFor([&] { return bench->serverConnections().size() >= 2 * n; }, 300'000);
    runLoop(1000);
    const double appOpen = idleCpu([&] { return cpuTicks(self); });
    std::printf("  app with %lld connections: idle %5.2f %% of a core, RSS %lld MiB\n",
                qlonglong(bench->serverConnections().size()),
                appOpen,
                rssKiB(self) / 1024);
    finish(clients);

    std::printf("%d idle open connections, CPU over %d s:\n", n, IdleMs / 1000);
    {
        CliServer cli;
        if (!cli.start(n))
            return 1;
        QProcess *idle = startClients("idle", n, cli.port);
        waitFor([&] { return cli.accepted >= n; }, 300'000);
        runLoop(1000);
        const qint64 pid = cli.process.processId();
        const double cpu = idleCpu([&] { return cpuTicks(pid); });
        std::printf("  finscope-cli server     %5.2f %% of a core, RSS %lld MiB\n",
                    cpu,
                    rssKiB(pid) / 1024);
        finish(idle);
        cli.process.waitForFinished(30'000);
    }
    if (QStandardPaths::findExecutable(QStringLiteral("socat")).isEmpty()) {
        std::printf("  socat: not installed\n");
        return 0;
    }
    quint16 port = 0;
    {
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        port = probe.serverPort();
    }
    QProcess socat;
    socat.start(
        QStringLiteral("socat"),
        {QStringLiteral("TCP-LISTEN:%1,bind=127.0.0.1,fork,reuseaddr,backlog=1024").arg(port),
         QStringLiteral("OPEN:/dev/null")});
    socat.waitForStarted();
    runLoop(300);
    QProcess *idle = startClients("idle", n, port);
    waitFor([&] { return idle->canReadLine(); }, 300'000);
    runLoop(1000);
    const qint64 pid = socat.processId();
    const double cpu = idleCpu([&] { return treeTicks(pid); });
    std::printf("  socat (fork per conn.)  %5.2f %% of a core (all its processes)\n", cpu);
    finish(idle);
    socat.terminate();
    socat.waitForFinished(5000);
    return 0;
}
