// Saving and loading a session of 1,000,000 events (Session::save / Session::load, with 16 MiB of
// payload), against Python's json module reading and writing the same file in the same run.
// Usage: bench_session [DIR]  (DIR holds the temporary file; default a QTemporaryDir)

#include "benchevents.h"
#include "engine/session/session.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <cstdio>

using namespace finscope;

namespace {

constexpr int EventCount = 1'000'000;
constexpr double TargetSeconds = 2.0;

Session makeSession()
{
    Session s;
    s.tool = QStringLiteral("bench_session");
    s.wallClockStart = QDateTime::currentDateTimeUtc();
    for (quint32 conn = 1; conn <= 4; ++conn) {
        s.endpoints.append({Side::Client, conn, "127.0.0.1:40000", "127.0.0.1:5555", "x:5555"});
        s.endpoints.append({Side::Server, conn, "127.0.0.1:5555", "127.0.0.1:40000", "x:0"});
    }
    const QByteArray chunk(65536, 'x');
    qint64 offset = 0;
    for (int i = 0; i < EventCount; ++i) {
        const Event e = bench::eventAt(i, &offset);
        if (e.kind == EventKind::Error)
            s.events.appendWithText(e, QStringLiteral("recv: Connection reset by peer"));
        else if (e.kind == EventKind::Send || e.kind == EventKind::Recv)
            s.events.append(e, chunk);
        else
            s.events.append(e);
    }
    return s;
}

// Seconds python3 takes for json.load then json.dump of the file; -1 when python3 is missing.
double pythonRoundTrip(const QString &path, const QString &out, double *loadSec, double *dumpSec)
{
    if (QStandardPaths::findExecutable(QStringLiteral("python3")).isEmpty())
        return -1;
    const QString script = QStringLiteral("import json, sys, time\n"
                                          "t = time.monotonic()\n"
                                          "with open(sys.argv[1]) as f: d = json.load(f)\n"
                                          "l = time.monotonic() - t\n"
                                          "t = time.monotonic()\n"
                                          "with open(sys.argv[2], 'w') as f: json.dump(d, f)\n"
                                          "print(l, time.monotonic() - t)\n");
    QProcess python;
    python.start(QStringLiteral("python3"), {QStringLiteral("-c"), script, path, out});
    if (!python.waitForFinished(300'000) || python.exitCode() != 0)
        return -1;
    const QList<QByteArray> parts = python.readAllStandardOutput().trimmed().split(' ');
    if (parts.size() != 2)
        return -1;
    *loadSec = parts.at(0).toDouble();
    *dumpSec = parts.at(1).toDouble();
    return *loadSec + *dumpSec;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTemporaryDir tmp;
    const QString dir = argc > 1 ? QString::fromLocal8Bit(argv[1]) : tmp.path();
    const QString path = dir + QStringLiteral("/bench-session.json");
    const QString pyOut = dir + QStringLiteral("/bench-session-python.json");

    const Session session = makeSession();
    QElapsedTimer timer;
    timer.start();
    QString error;
    if (!session.save(path, &error)) {
        std::fprintf(stderr, "save failed: %s\n", qPrintable(error));
        return 1;
    }
    const double saveSec = timer.nsecsElapsed() / 1e9;
    const qint64 size = QFileInfo(path).size();

    timer.restart();
    const std::optional<Session> loaded = Session::load(path, &error);
    const double loadSec = timer.nsecsElapsed() / 1e9;
    if (!loaded) {
        std::fprintf(stderr, "load failed: %s\n", qPrintable(error));
        return 1;
    }
    if (loaded->events.size() != session.events.size()) {
        std::fprintf(stderr,
                     "load gave %lld events, saved %lld\n",
                     qlonglong(loaded->events.size()),
                     qlonglong(session.events.size()));
        return 1;
    }

    double pyLoad = 0;
    double pyDump = 0;
    const double py = pythonRoundTrip(path, pyOut, &pyLoad, &pyDump);

    std::printf("session of %d events, %.1f MB on disk\n\n", EventCount, size / 1e6);
    std::printf("%-40s %10s %10s\n", "who", "save s", "load s");
    std::printf(
        "%-40s %10.2f %10.2f\n", "FinScope Session::save / Session::load", saveSec, loadSec);
    if (py >= 0)
        std::printf("%-40s %10.2f %10.2f\n", "python3 json.dump / json.load", pyDump, pyLoad);
    else
        std::printf("%-40s %10s %10s\n", "python3 json (not installed)", "-", "-");
    std::printf("\ntarget under %.0f s each: save %s, load %s\n",
                TargetSeconds,
                saveSec < TargetSeconds ? "met" : "NOT met",
                loadSec < TargetSeconds ? "met" : "NOT met");
    return 0;
}
