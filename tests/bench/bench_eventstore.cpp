// Memory for 1,000,000 recorded events: FinScope's EventStore against the straightforward
// representation (one QJsonObject per event in a QList), in the same run.

#include "benchevents.h"
#include "engine/core/eventstore.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonObject>
#include <QList>

#include <cerrno>
#include <cstdio>

using namespace finscope;
using finscope::bench::eventAt;

namespace {

constexpr int EventCount = 1'000'000;

qint64 rssBytes()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    // /proc files report size 0, so QFile::atEnd() is true at once: read it whole.
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong() * 1024;
    }
    return -1;
}

} // namespace

int main()
{
    const QByteArray chunk(65536, 'x');
    std::printf(
        "%-34s %14s %14s %10s\n", "representation", "RSS growth", "self-reported", "append s");

    const qint64 before = rssBytes();
    QElapsedTimer timer;
    timer.start();
    qint64 storeMemory = 0;
    qint64 storeRss = 0;
    {
        EventStore store; // default 16 MiB payload cap
        qint64 offset = 0;
        for (int i = 0; i < EventCount; ++i) {
            const Event e = eventAt(i, &offset);
            if (e.kind == EventKind::Error)
                store.appendWithText(e, QStringLiteral("recv: Connection reset by peer"));
            else if (e.kind == EventKind::Send || e.kind == EventKind::Recv)
                store.append(e, chunk);
            else
                store.append(e);
        }
        storeRss = rssBytes() - before;
        storeMemory = store.memoryUsage();
        std::printf("%-34s %11.1f MB %11.1f MB %10.3f\n",
                    "FinScope EventStore",
                    storeRss / 1e6,
                    storeMemory / 1e6,
                    timer.nsecsElapsed() / 1e9);
    }

    const qint64 beforeJson = rssBytes();
    timer.restart();
    {
        QList<QJsonObject> naive;
        qint64 offset = 0;
        for (int i = 0; i < EventCount; ++i) {
            const Event e = eventAt(i, &offset);
            QJsonObject o{{QStringLiteral("t_ns"), double(e.tNs)},
                          {QStringLiteral("side"), sideName(e.side)},
                          {QStringLiteral("conn"), double(e.conn)},
                          {QStringLiteral("kind"), kindName(e.kind)}};
            if (e.kind == EventKind::Send || e.kind == EventKind::Recv) {
                o.insert(QStringLiteral("bytes"), double(e.bytes));
                o.insert(QStringLiteral("offset"), double(e.offset));
            } else if (e.kind == EventKind::Queue) {
                o.insert(QStringLiteral("outq"), e.outq);
                o.insert(QStringLiteral("inq"), e.inq);
            } else {
                o.insert(QStringLiteral("state"), stateName(e.state));
            }
            naive.append(o);
        }
        std::printf("%-34s %11.1f MB %14s %10.3f\n",
                    "QList<QJsonObject> (no payload)",
                    (rssBytes() - beforeJson) / 1e6,
                    "-",
                    timer.nsecsElapsed() / 1e9);
    }
    std::printf("\n1,000,000 events in the EventStore: %.1f MB (target < 100 MB): %s\n",
                std::max(storeRss, storeMemory) / 1e6,
                std::max(storeRss, storeMemory) < 100'000'000 ? "PASS" : "FAIL");
    return 0;
}
