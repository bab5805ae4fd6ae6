// Planning a replay of a session with N connections (default 50,000): Replayer::prepare() for the
// client side (each client's recorded target looked up) and for both sides (listening included),
// against the linear search it replaced (each end and each client's record found by scanning the
// list), run here on the same session. A path writes the session too, so `finscope-cli replay
// FILE --timeout 1` can be timed before and after.
// Usage: bench_replayplan [N] [SESSION.json]

#include "engine/run/replayer.h"
#include "engine/session/session.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <cstdio>

using namespace finscope;

namespace {

Session makeSession(quint32 connections)
{
    Session s;
    s.tool = QStringLiteral("bench_replayplan");
    s.wallClockStart = QDateTime::currentDateTimeUtc();
    constexpr qint64 Ms = 1'000'000;
    for (quint32 conn = 1; conn <= connections; ++conn) {
        s.endpoints.append(
            {Side::Client, conn, "127.0.0.1:40000", "127.0.0.1:5555", "127.0.0.1:5555"});
        s.endpoints.append(
            {Side::Server, conn, "127.0.0.1:5555", "127.0.0.1:40000", "127.0.0.1:0"});
        const qint64 t = qint64(conn) * Ms;
        s.actions.append({t, Side::Client, conn, QStringLiteral("send hello"), t + 1});
        s.actions.append({t, Side::Server, conn, QStringLiteral("read-until-eof"), t + 3});
        s.actions.append({t + 2, Side::Client, conn, QStringLiteral("shutdown wr"), t + 3});
        s.actions.append({t + 4, Side::Server, conn, QStringLiteral("close"), t + 5});
        s.actions.append({t + 5, Side::Client, conn, QStringLiteral("close"), t + 6});
    }
    return s;
}

// The planning before: every end searched for in a list, every client's record in the endpoints.
qint64 linearPlanMs(const Session &s)
{
    QElapsedTimer timer;
    timer.start();
    QList<std::pair<Side, quint32>> ends;
    for (const EndpointRecord &rec : s.endpoints) {
        if (!ends.contains(std::make_pair(rec.side, rec.conn)))
            ends.append({rec.side, rec.conn});
    }
    qsizetype cues = 0;
    for (const RecordedAction &a : s.actions)
        cues += ends.contains(std::make_pair(a.side, a.conn)) ? 1 : 0;
    qsizetype targets = 0;
    for (const auto &[side, conn] : std::as_const(ends)) {
        if (side == Side::Client)
            targets += s.recordedTarget(side, conn).isEmpty() ? 0 : 1;
    }
    std::fprintf(stderr, "(%lld cues, %lld targets)\n", qlonglong(cues), qlonglong(targets));
    return timer.elapsed();
}

qint64 prepareMs(const Session &s, Replayer::Mode mode)
{
    QElapsedTimer timer;
    timer.start();
    Replayer replayer(s);
    replayer.setMode(mode);
    QString error;
    if (!replayer.prepare(&error)) {
        std::fprintf(stderr, "prepare: %s\n", qPrintable(error));
        return -1;
    }
    return timer.elapsed();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const quint32 connections = args.size() > 1 ? args.at(1).toUInt() : 50'000;
    const Session s = makeSession(connections);
    if (args.size() > 2) {
        QString error;
        if (!s.save(args.at(2), &error)) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
    }
    std::printf("replay planning, %u connections (%lld actions)\n",
                connections,
                qlonglong(s.actions.size()));
    std::printf("  Replayer::prepare, client side: %lld ms\n",
                qlonglong(prepareMs(s, Replayer::Mode::Client)));
    std::printf("  Replayer::prepare, both sides:  %lld ms\n",
                qlonglong(prepareMs(s, Replayer::Mode::Both)));
    std::printf("  the linear search it replaced:  %lld ms\n", qlonglong(linearPlanMs(s)));
    return 0;
}
