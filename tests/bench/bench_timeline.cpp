// Paint time of the timeline (TimelinePainter onto a QImage, as the widget and the exports paint)
// with 1,000,000 events, offscreen, at fit-all and at a 1 ms window, against a naive painter that
// draws every event with one QPainter::drawLine (no culling, no merging), in the same run. Target:
// under 16 ms a frame for both views.

#include "render/timelinepainter.h"

#include <QElapsedTimer>
#include <QGuiApplication>
#include <QImage>
#include <QPainter>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace finscope;

namespace {

constexpr int EventCount = 1'000'000;
constexpr int Frames = 20;

// Two connections (four lanes) moving data for 10 s, with state and queue samples.
void fill(Session &session)
{
    EventStore &store = session.events;
    store.reserve(EventCount);
    qint64 sent[2] = {0, 0};
    qint64 received[2] = {0, 0};
    for (int i = 0; i < EventCount; ++i) {
        const int conn = i % 2;
        Event e;
        e.tNs = qint64(i) * 10'000; // 10 s in all
        e.conn = quint32(conn + 1);
        switch ((i / 2) % 8) {
        case 0:
        case 1:
        case 2:
            e.kind = EventKind::Send;
            e.side = Side::Client;
            e.bytes = 65536;
            e.offset = sent[conn];
            sent[conn] += e.bytes;
            break;
        case 3:
        case 4:
        case 5:
            e.kind = EventKind::Recv;
            e.side = Side::Server;
            e.bytes = 65536;
            e.offset = received[conn];
            received[conn] += e.bytes;
            break;
        case 6:
            e.kind = EventKind::Queue;
            e.side = Side::Client;
            e.outq = 1 << 20;
            break;
        default:
            e.kind = i % 5000 == 14 ? EventKind::State : EventKind::Queue;
            e.side = Side::Server;
            e.state = i % 10000 == 14 ? TcpState::CloseWait : TcpState::Established;
        }
        store.append(e);
    }
}

double paintMs(const TimelinePainter &painter, const TimeScale &scale, QImage &image)
{
    QElapsedTimer timer;
    timer.start();
    for (int f = 0; f < Frames; ++f) {
        QPainter p(&image);
        painter.paint(p, QSizeF(image.size()), scale);
    }
    return timer.nsecsElapsed() / 1e6 / Frames;
}

// Both connections' ends, so the arrows are drawn too.
void addEndpoints(Session &session)
{
    for (quint32 conn = 1; conn <= 2; ++conn) {
        const QString client = QStringLiteral("127.0.0.1:%1").arg(40000 + conn);
        const QString server = QStringLiteral("127.0.0.1:5555");
        session.endpoints.append({Side::Client, conn, client, server, server});
        session.endpoints.append({Side::Server, conn, server, client, server});
    }
}

double naiveMs(const EventStore &store, const TimeScale &scale, QImage &image)
{
    QElapsedTimer timer;
    timer.start();
    for (int f = 0; f < Frames; ++f) {
        QPainter p(&image);
        p.fillRect(image.rect(), Qt::white);
        for (const Event &e : store.events()) {
            const double x = scale.x(e.tNs);
            const double y = 40 + (int(e.side) * 2 + int(e.conn) - 1) * 90;
            p.drawLine(QPointF(x, y), QPointF(x, y - 20));
        }
    }
    return timer.nsecsElapsed() / 1e6 / Frames;
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    Session session;
    fill(session);
    addEndpoints(session);
    const EventStore &store = session.events;
    const TimelineModel model(&session);
    const TimelinePainter painter(model, TimelineStyle(QGuiApplication::palette()), QFont());
    QImage image(1600, 500, QImage::Format_ARGB32_Premultiplied);

    const TimeScale fit = painter.fitAll(image.width());
    const double fitMs = paintMs(painter, fit, image);
    const double naiveFitMs = naiveMs(store, fit, image);

    // A 1 ms window in the middle of the session.
    TimeScale window = fit;
    window.nsPerPixel = 1e6 / (image.width() - fit.left);
    window.startNs = 5'000'000'000;
    const double windowMs = paintMs(painter, window, image);
    // bench_timeline FILE.png keeps the 1 ms window's frame, to see what was measured.
    if (argc > 1)
        image.save(QString::fromLocal8Bit(argv[1]));
    const double naiveWindowMs = naiveMs(store, window, image);

    std::printf("timeline, %d events in 4 lanes, %dx%d offscreen, mean of %d frames\n",
                EventCount,
                image.width(),
                image.height(),
                Frames);
    std::printf("%-44s %10s %12s\n", "painter", "fit-all", "1 ms window");
    std::printf(
        "%-44s %7.2f ms %9.2f ms\n", "FinScope TimelinePainter (culled, merged)", fitMs, windowMs);
    std::printf("%-44s %7.2f ms %9.2f ms\n",
                "naive: drawLine per event, no culling",
                naiveFitMs,
                naiveWindowMs);
    std::printf("target < 16 ms a frame: %s\n", fitMs < 16 && windowMs < 16 ? "PASS" : "FAIL");
    return 0;
}
