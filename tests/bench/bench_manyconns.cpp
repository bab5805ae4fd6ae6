// A session with many short connections (default 100,000, both ends of each recorded): the time
// to build the timeline model, export SVG and PNG and compare the session with itself, which
// once grew with the square of the connection count; with --save FILE, writes the session for
// the loader's memory measurement; with --load FILE and --load-whole FILE, loads it the current
// way (events one at a time) or the whole document through QJsonDocument (how it was loaded
// before), in this process, and prints the peak resident memory against the file's size.

#include "engine/session/session.h"
#include "engine/session/sessioncomparison.h"
#include "render/timelineexport.h"
#include "render/timelinemodel.h"
#include "render/timelinepainter.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QJsonDocument>

#include <cstdio>
#include <sys/resource.h>

using namespace finscope;

namespace {

Session manyConnections(int connections)
{
    Session s;
    s.tool = QStringLiteral("bench_manyconns");
    s.wallClockStart = QDateTime::currentDateTimeUtc();
    EventStore &store = s.events;
    store.reserve(qsizetype(connections) * 12);
    qint64 t = 0;
    const auto add = [&](EventKind kind, Side side, quint32 conn, qint64 bytes = 0) {
        Event e;
        e.tNs = t += 1000;
        e.kind = kind;
        e.side = side;
        e.conn = conn;
        e.bytes = bytes;
        if (kind == EventKind::Shutdown)
            e.how = ShutdownHow::Write;
        store.append(e);
    };
    for (int i = 0; i < connections; ++i) {
        const quint32 conn = quint32(i + 1);
        const QString client = QStringLiteral("127.0.0.1:%1").arg(20000 + i);
        s.endpoints.append({Side::Client,
                            conn,
                            client,
                            QStringLiteral("127.0.0.1:5555"),
                            QStringLiteral("127.0.0.1:5555")});
        s.endpoints.append({Side::Server,
                            conn,
                            QStringLiteral("127.0.0.1:5555"),
                            client,
                            QStringLiteral("127.0.0.1:5555")});
        add(EventKind::Connect, Side::Client, conn);
        add(EventKind::Accept, Side::Server, conn);
        add(EventKind::Send, Side::Client, conn, 100);
        add(EventKind::Recv, Side::Server, conn, 100);
        add(EventKind::Shutdown, Side::Client, conn);
        add(EventKind::Eof, Side::Server, conn);
        add(EventKind::Close, Side::Server, conn);
        add(EventKind::Eof, Side::Client, conn);
        add(EventKind::Close, Side::Client, conn);
    }
    return s;
}

long peakRssKb()
{
    struct rusage usage = {};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

int load(const QString &path, bool whole)
{
    const qint64 size = QFileInfo(path).size();
    QElapsedTimer timer;
    timer.start();
    qsizetype events = -1;
    QString error;
    if (whole) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return 1;
        const QJsonDocument doc = QJsonDocument::fromJson(file.readAll());
        const auto s = Session::fromJson(doc.object(), &error);
        events = s ? s->events.size() : -1;
    } else {
        const auto s = Session::load(path, &error);
        events = s ? s->events.size() : -1;
    }
    if (events < 0) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    const double mb = double(size) / 1e6;
    const double rssMb = double(peakRssKb()) / 1e3;
    std::printf("%s: %lld events from %.1f MB in %lld ms, peak RSS %.1f MB (%.1fx the file)\n",
                whole ? "whole document (QJsonDocument, as before)" : "Session::load",
                qlonglong(events),
                mb,
                qlonglong(timer.elapsed()),
                rssMb,
                rssMb / mb);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    const QStringList args = app.arguments().mid(1);
    if (args.size() == 2 && args[0] == QLatin1StringView("--load"))
        return load(args[1], false);
    if (args.size() == 2 && args[0] == QLatin1StringView("--load-whole"))
        return load(args[1], true);
    int connections = 100'000;
    QString savePath;
    for (qsizetype i = 0; i < args.size(); ++i) {
        if (args[i] == QLatin1StringView("--save") && i + 1 < args.size())
            savePath = args[++i];
        else
            connections = args[i].toInt();
    }
    const Session session = manyConnections(connections);
    if (!savePath.isEmpty()) {
        QString error;
        if (!session.save(savePath, &error)) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
        std::printf("saved %d connections, %lld events, %lld bytes to %s\n",
                    connections,
                    qlonglong(session.events.size()),
                    qlonglong(QFileInfo(savePath).size()),
                    qPrintable(savePath));
        return 0;
    }
    QElapsedTimer timer;
    timer.start();
    const TimelineModel model(&session);
    std::printf("%d connections (%zu lanes): timeline model built in %lld ms\n",
                connections,
                model.lanes().size(),
                qlonglong(timer.elapsed()));
    const TimelinePainter painter(model, TimelineStyle(), QFont());
    QString error;
    timer.restart();
    const auto svg = TimelineExport::svg(painter, QStringLiteral("bench"), &error);
    std::printf("SVG export: %lld ms, %lld bytes\n",
                qlonglong(timer.elapsed()),
                qlonglong(svg ? svg->size() : -1));
    timer.restart();
    const QImage image = TimelineExport::image(painter);
    std::printf("PNG image: %lld ms, %dx%d px (the whole session would be %d px tall)\n",
                qlonglong(timer.elapsed()),
                image.width(),
                image.height(),
                painter.sessionSize(TimelineExport::DefaultWidth).height());
    timer.restart();
    const SessionComparison comparison(session, session);
    std::printf("comparison with itself: %lld ms, %s\n",
                qlonglong(timer.elapsed()),
                comparison.equivalent() ? "equivalent" : "differs");
    return 0;
}
