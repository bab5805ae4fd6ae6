// Paint time of the timeline with 1,000,000 events, offscreen, at fit-all and at a 1 ms window,
// against a naive painter that draws every event with one QPainter::drawLine (no culling, no
// merging), in the same run. Target: under 16 ms a frame for both views.

#include "timelinewidget.h"

#include <QApplication>
#include <QElapsedTimer>
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
void fill(EventStore &store)
{
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

double paintMs(TimelineWidget &widget, QImage &image)
{
    QElapsedTimer timer;
    timer.start();
    for (int f = 0; f < Frames; ++f)
        widget.render(&image);
    return timer.nsecsElapsed() / 1e6 / Frames;
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
    QApplication app(argc, argv);
    EventStore store;
    fill(store);
    TimelineWidget widget;
    widget.resize(1600, 500);
    widget.setStore(&store);
    widget.model()->setPeers(Side::Client, 1, Side::Server, 1);
    widget.model()->setPeers(Side::Client, 2, Side::Server, 2);
    QImage image(widget.size(), QImage::Format_ARGB32_Premultiplied);

    widget.fitAll();
    const TimeScale fit = widget.scale();
    const double fitMs = paintMs(widget, image);
    const double naiveFitMs = naiveMs(store, fit, image);

    // A 1 ms window in the middle of the session.
    TimeScale window = fit;
    window.nsPerPixel = 1e6 / (widget.width() - fit.left);
    window.startNs = 5'000'000'000;
    widget.setScale(window);
    const double windowMs = paintMs(widget, image);
    const double naiveWindowMs = naiveMs(store, window, image);

    std::printf("timeline, %d events in 4 lanes, %dx%d offscreen, mean of %d frames\n",
                EventCount,
                widget.width(),
                widget.height(),
                Frames);
    std::printf("%-44s %10s %12s\n", "painter", "fit-all", "1 ms window");
    std::printf(
        "%-44s %7.2f ms %9.2f ms\n", "FinScope TimelineWidget (culled, merged)", fitMs, windowMs);
    std::printf("%-44s %7.2f ms %9.2f ms\n",
                "naive: drawLine per event, no culling",
                naiveFitMs,
                naiveWindowMs);
    std::printf("target < 16 ms a frame: %s\n", fitMs < 16 && windowMs < 16 ? "PASS" : "FAIL");
    return 0;
}
