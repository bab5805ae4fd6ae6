// The timeline's parts below the widget: time-to-pixel mapping, axis steps, lanes, aggregation of
// dense spans and the arrows' matching; the painter's sizes and labels; the style's colours and
// byte sizes.

#include "render/timelineexport.h"
#include "render/timelinemodel.h"
#include "render/timelinepainter.h"
#include "render/timelinestyle.h"
#include "render/timescale.h"

#include <QImage>
#include <QPainter>

#include <QSet>
#include <QTest>

#include <QXmlStreamReader>
#include <limits>

using namespace finscope;

namespace {

Event ev(EventKind kind, qint64 t, Side side, quint32 conn, qint64 bytes = 0, qint64 offset = 0)
{
    Event e;
    e.kind = kind;
    e.tNs = t;
    e.side = side;
    e.conn = conn;
    e.bytes = bytes;
    e.offset = offset;
    return e;
}

EndpointRecord endpoint(Side side, quint32 conn, const QString &local, const QString &peer)
{
    EndpointRecord r;
    r.side = side;
    r.conn = conn;
    r.localAddress = local;
    r.peerAddress = peer;
    return r;
}

// Client 1 and server 1 as the two ends of one connection.
QList<EndpointRecord> connectedPair()
{
    return {
        endpoint(
            Side::Client, 1, QStringLiteral("127.0.0.1:40000"), QStringLiteral("127.0.0.1:5555")),
        endpoint(
            Side::Server, 1, QStringLiteral("127.0.0.1:5555"), QStringLiteral("127.0.0.1:40000"))};
}

} // namespace

class TestTimeline : public QObject
{
    Q_OBJECT

private slots:
    void mapsTimeToPixelsAndBack();
    void fitShowsTheWholeSpan();
    void zoomKeepsTheAnchor();
    void panMovesByPixels();
    void tickSteps_data();
    void tickSteps();
    void formatsDurations();
    void lanesPerConnectionEndWithoutListener();
    void stateSegments();
    void mergesDenseSpans();
    void keepsSparseEventsApart();
    void onlyVisibleRange();
    void matchesSendToPeerRecvByOffset();
    void matchesFinToPeerEof();
    void buildsFortyThousandLanes();
    void byteTotalsSaturate();
    void pngOfManyLanesIsCapped();
    void marksGrowWithTheFont();
    void labelsAreElidedToTheRoomBeforeTheNextMark();
    void styleIsReadableOnLightAndDarkPalettes();
    void formatsBytes_data();
    void formatsBytes();
};

void TestTimeline::mapsTimeToPixelsAndBack()
{
    TimeScale s;
    s.startNs = 1000;
    s.nsPerPixel = 10;
    s.left = 50;
    QCOMPARE(s.x(1000), 50.0);
    QCOMPARE(s.x(2000), 150.0);
    QCOMPARE(s.t(150), qint64(2000));
    QCOMPARE(s.t(s.x(123456)), qint64(123456));
}

void TestTimeline::fitShowsTheWholeSpan()
{
    const TimeScale s = TimeScale::fit(5'000'000, 15'000'000, 100, 1000);
    QVERIFY(s.x(5'000'000) > 100);
    QVERIFY(s.x(5'000'000) < 140);
    QVERIFY(s.x(15'000'000) < 1100);
    QVERIFY(s.x(15'000'000) > 1050);
}

void TestTimeline::zoomKeepsTheAnchor()
{
    TimeScale s = TimeScale::fit(0, 1'000'000, 0, 1000);
    const qint64 under = s.t(400);
    const TimeScale in = s.zoomed(2.0, 400);
    QCOMPARE(in.nsPerPixel, s.nsPerPixel / 2);
    QVERIFY(std::abs(in.t(400) - under) <= 1);
    const TimeScale extreme = s.zoomed(1e12, 400);
    QCOMPARE(extreme.nsPerPixel, TimeScale::MinNsPerPixel);
}

void TestTimeline::panMovesByPixels()
{
    TimeScale s;
    s.nsPerPixel = 100;
    const TimeScale p = s.panned(10); // dragging right shows earlier times
    QCOMPARE(p.startNs, s.startNs - 1000);
    QCOMPARE(p.x(0), s.x(0) + 10);
}

void TestTimeline::tickSteps_data()
{
    QTest::addColumn<double>("nsPerPixel");
    QTest::addColumn<qint64>("step");
    QTest::newRow("1 ns/px, 80 px") << 1.0 << qint64(100);
    QTest::newRow("1 us/px, 80 px") << 1000.0 << qint64(100'000);
    QTest::newRow("3 us/px, 80 px") << 3000.0 << qint64(500'000);
    QTest::newRow("1.5 ms/px, 80 px") << 1.5e6 << qint64(200'000'000);
}

void TestTimeline::tickSteps()
{
    QFETCH(double, nsPerPixel);
    QFETCH(qint64, step);
    TimeScale s;
    s.nsPerPixel = nsPerPixel;
    QCOMPARE(s.tickStepNs(80), step);
    QVERIFY(step / nsPerPixel >= 80);
}

void TestTimeline::formatsDurations()
{
    QCOMPARE(TimeScale::formatDuration(0), QStringLiteral("0"));
    QCOMPARE(TimeScale::formatDuration(250), QStringLiteral("250 ns"));
    QCOMPARE(TimeScale::formatDuration(1500), QStringLiteral("1.5 µs"));
    QCOMPARE(TimeScale::formatDuration(12'000'000), QStringLiteral("12 ms"));
    QCOMPARE(TimeScale::formatDuration(3'250'000'000), QStringLiteral("3.25 s"));
    // Axis labels carry the decimals their step needs: 0.5 ms ticks at 8.5 s stay distinct.
    QCOMPARE(TimeScale::formatTick(8'572'500'000, 500'000), QStringLiteral("8.5725 s"));
    QCOMPARE(TimeScale::formatTick(8'573'000'000, 500'000), QStringLiteral("8.573 s"));
    QCOMPARE(TimeScale::formatTick(50'000'000, 50'000'000), QStringLiteral("50 ms"));
    QCOMPARE(TimeScale::formatTick(2'000'000'000, 1'000'000'000), QStringLiteral("2 s"));
    QCOMPARE(TimeScale::formatTick(0, 1000), QStringLiteral("0"));
    for (const qint64 step : {qint64(500), qint64(20'000), qint64(500'000), qint64(2'000'000)}) {
        QSet<QString> labels;
        for (qint64 t = 8'570'000'000; t < 8'570'000'000 + 40 * step; t += step)
            labels.insert(TimeScale::formatTick(t, step));
        QCOMPARE(labels.size(), 40);
    }
}

void TestTimeline::lanesPerConnectionEndWithoutListener()
{
    Session session;
    EventStore &store = session.events;
    store.append(ev(EventKind::Listen, 100, Side::Server, 0));
    store.append(ev(EventKind::Accept, 9'000'000'000, Side::Server, 1));
    store.append(ev(EventKind::Connect, 9'000'000'100, Side::Client, 1));
    store.append(ev(EventKind::Connect, 9'500'000'000, Side::Client, 2));
    session.endpoints = connectedPair(); // peers may be known before any event of theirs
    TimelineModel model(&session);
    model.update();
    QCOMPARE(model.lanes().size(), size_t(3));
    QCOMPARE(model.laneOf(Side::Client, 1), 0);
    QCOMPARE(model.laneOf(Side::Client, 2), 1);
    QCOMPARE(model.laneOf(Side::Server, 1), 2);
    QCOMPARE(model.laneOf(Side::Server, 0), -1);
    // The span starts at the first connection event, not at the listen long before.
    QCOMPARE(model.startNs(), qint64(9'000'000'000));
    QCOMPARE(model.endNs(), qint64(9'500'000'000));
    QVERIFY(!model.update()); // nothing new
}

void TestTimeline::stateSegments()
{
    Session session;
    EventStore &store = session.events;
    Event s = ev(EventKind::State, 10, Side::Client, 1);
    s.state = TcpState::Established;
    store.append(s);
    store.append(ev(EventKind::Send, 20, Side::Client, 1, 5));
    s.tNs = 30;
    s.state = TcpState::FinWait2;
    store.append(s);
    TimelineModel model(&session);
    model.update();
    const TimelineLane &lane = model.lanes().front();
    QCOMPARE(lane.states.size(), size_t(2));
    QCOMPARE(lane.states[1].state, TcpState::FinWait2);
    QCOMPARE(lane.sends.size(), size_t(1)); // states are bands, not marks
    QVERIFY(lane.others.empty());
}

void TestTimeline::mergesDenseSpans()
{
    Session session;
    EventStore &store = session.events;
    for (int i = 0; i < 1000; ++i)
        store.append(ev(EventKind::Send, i * 10, Side::Client, 1, 100, i * 100));
    TimelineModel model(&session);
    model.update();
    const TimeScale scale = TimeScale::fit(0, 9990, 0, 100); // 1000 sends in 100 px
    const auto marks = model.marks(0, scale, 0, 100, 4.0);
    QVERIFY(marks.size() <= 30);
    qint64 bytes = 0;
    int count = 0;
    for (const TimelineMark &m : marks) {
        bytes += m.bytes;
        count += m.count;
        QVERIFY(m.x1 - m.x0 < 4.0);
    }
    QCOMPARE(count, 1000);
    QCOMPARE(bytes, 100'000);
}

void TestTimeline::keepsSparseEventsApart()
{
    Session session;
    EventStore &store = session.events;
    store.append(ev(EventKind::Send, 0, Side::Client, 1, 10));
    store.append(ev(EventKind::Send, 1'000'000, Side::Client, 1, 10, 10));
    Event fin = ev(EventKind::Shutdown, 1'000'001, Side::Client, 1);
    fin.how = ShutdownHow::Write;
    store.append(fin);
    TimelineModel model(&session);
    model.update();
    const auto marks = model.marks(0, TimeScale::fit(0, 1'000'001, 0, 1000), 0, 1000, 4.0);
    QCOMPARE(marks.size(), size_t(3)); // the FIN is not merged into the send beside it
    QCOMPARE(marks[2].kind, EventKind::Shutdown);
}

void TestTimeline::onlyVisibleRange()
{
    Session session;
    EventStore &store = session.events;
    for (int i = 0; i < 100; ++i)
        store.append(ev(EventKind::Recv, qint64(i) * 1'000'000, Side::Server, 1, 1, i));
    TimelineModel model(&session);
    model.update();
    TimeScale scale;
    scale.startNs = 40'000'000;
    scale.nsPerPixel = 100'000; // 10 px per event
    const auto marks = model.marks(0, scale, 0, 95, 0.0);
    QCOMPARE(marks.front().first, qsizetype(40));
    QCOMPARE(marks.back().first, qsizetype(49));
}

void TestTimeline::matchesSendToPeerRecvByOffset()
{
    Session session;
    EventStore &store = session.events;
    store.append(ev(EventKind::Send, 10, Side::Client, 1, 100, 0));   // 0
    store.append(ev(EventKind::Send, 20, Side::Client, 1, 100, 100)); // 1
    store.append(ev(EventKind::Recv, 30, Side::Server, 1, 150, 0));   // 2: bytes 0..149
    store.append(ev(EventKind::Recv, 40, Side::Server, 1, 50, 150));  // 3: bytes 150..199
    store.append(ev(EventKind::Send, 50, Side::Client, 1, 10, 200));  // 4: not received yet
    TimelineModel model(&session);
    model.update();
    QCOMPARE(model.matchingRecv(0), -1); // no addresses known yet
    // A live session learns the addresses as the connection opens: the next update joins them.
    session.endpoints = connectedPair();
    QVERIFY(!model.update());
    QCOMPARE(model.matchingRecv(0), qsizetype(2));
    QCOMPARE(model.matchingRecv(1), qsizetype(2)); // byte 100 arrived in the first recv
    QCOMPARE(model.matchingRecv(4), qsizetype(-1));
}

void TestTimeline::matchesFinToPeerEof()
{
    Session session;
    EventStore &store = session.events;
    Event fin = ev(EventKind::Shutdown, 10, Side::Client, 1);
    fin.how = ShutdownHow::Write;
    store.append(fin);
    store.append(ev(EventKind::Eof, 20, Side::Server, 1));
    session.endpoints = connectedPair();
    TimelineModel model(&session);
    model.update();
    QCOMPARE(model.matchingEof(0), qsizetype(1));
}

// 40,000 lanes (20,000 connections, both ends), their events interleaved as a busy server's are:
// indexed by hash, not by a scan per event (no timing asserted; bench_manyconns times it).
void TestTimeline::buildsFortyThousandLanes()
{
    Session session;
    constexpr quint32 Connections = 20'000;
    for (quint32 conn = Connections; conn >= 1; --conn) {
        const QString client = QStringLiteral("127.0.0.1:%1").arg(20000 + conn);
        session.endpoints.append(
            endpoint(Side::Client, conn, client, QStringLiteral("127.0.0.1:5555")));
        session.endpoints.append(
            endpoint(Side::Server, conn, QStringLiteral("127.0.0.1:5555"), client));
    }
    for (quint32 conn = 1; conn <= Connections; ++conn) {
        session.events.append(ev(EventKind::Send, conn * 10, Side::Client, conn, 10, 0));
        session.events.append(ev(EventKind::Recv, conn * 10 + 5, Side::Server, conn, 10, 0));
    }
    TimelineModel model(&session);
    QCOMPARE(model.lanes().size(), size_t(2 * Connections));
    // Clients first, then the server's ends, each by number; every peer found.
    for (quint32 conn : {1u, 7'777u, Connections}) {
        const int client = model.laneOf(Side::Client, conn);
        const int server = model.laneOf(Side::Server, conn);
        QCOMPARE(client, int(conn - 1));
        QCOMPARE(server, int(Connections + conn - 1));
        QCOMPARE(model.lanes()[size_t(client)].peer, server);
        QCOMPARE(model.lanes()[size_t(server)].peer, client);
        QCOMPARE(model.lanes()[size_t(client)].conn, conn);
        QCOMPARE(model.matchingRecv(qsizetype(2 * (conn - 1))), qsizetype(2 * (conn - 1) + 1));
    }
    // A live session's later lane lands in its place.
    session.events.append(ev(EventKind::Connect, 1'000'000, Side::Client, Connections + 1));
    QVERIFY(model.update());
    QCOMPARE(model.laneOf(Side::Client, Connections + 1), int(Connections));
    QCOMPARE(model.laneOf(Side::Server, 1), int(Connections + 1));
    QCOMPARE(model.lanes()[size_t(model.laneOf(Side::Client, 1))].peer,
             model.laneOf(Side::Server, 1));
}

// A crafted file's byte counts, each within range, sum past what a qint64 holds: the total stays
// at the largest value instead of wrapping negative (UBSan flagged the sum).
void TestTimeline::byteTotalsSaturate()
{
    Session session;
    constexpr qint64 Huge = qint64(1) << 53;
    for (int i = 0; i < 2000; ++i)
        session.events.append(ev(EventKind::Send, i, Side::Client, 1, Huge, Huge));
    TimelineModel model(&session);
    const TimelineLane &lane = model.lanes().at(0);
    QCOMPARE(lane.sendBytes.back(), std::numeric_limits<qint64>::max());
    const TimeScale scale = TimeScale::fit(0, 2000, 0, 100);
    const std::vector<TimelineMark> marks = model.marks(0, scale, 0, 100, 1000);
    QVERIFY(!marks.empty());
    for (const TimelineMark &m : marks)
        QVERIFY2(m.bytes > 0, qPrintable(QString::number(m.bytes)));
}

// A PNG's height once grew with the lane count (a 1.3 MB file asked for 8.8 GB): past the cap the
// lanes that fit are drawn, with a line saying how many are not.
void TestTimeline::pngOfManyLanesIsCapped()
{
    Session session;
    constexpr quint32 Connections = 3000;
    for (quint32 conn = 1; conn <= Connections; ++conn) {
        session.events.append(ev(EventKind::Send, conn * 10, Side::Client, conn, 10, 0));
        session.events.append(ev(EventKind::Recv, conn * 10 + 5, Side::Server, conn, 10, 0));
    }
    const TimelineModel model(&session);
    const TimelinePainter painter(model, TimelineStyle(), QFont());
    QVERIFY(painter.sessionSize(TimelineExport::DefaultWidth).height()
            > TimelineExport::MaxImageHeight);
    const QImage image = TimelineExport::image(painter);
    QCOMPARE(image.width(), TimelineExport::DefaultWidth);
    QCOMPARE(image.height(), TimelineExport::MaxImageHeight);
    // The summary band at the bottom is drawn in the window colour, across the whole width.
    const QRgb band = TimelineStyle().palette().color(QPalette::Window).rgb();
    const int last = image.height() - 2;
    QCOMPARE(image.pixel(2, last) & 0xffffff, band & 0xffffff);
    QCOMPARE(image.pixel(image.width() - 3, last) & 0xffffff, band & 0xffffff);
    // A small session is drawn whole, as before.
    Session small;
    small.events.append(ev(EventKind::Send, 10, Side::Client, 1, 10, 0));
    const TimelineModel smallModel(&small);
    const TimelinePainter smallPainter(smallModel, TimelineStyle(), QFont());
    QCOMPARE(TimelineExport::image(smallPainter).size(),
             smallPainter.sessionSize(TimelineExport::DefaultWidth));
}

namespace {

int countColour(const QImage &image, QRgb colour)
{
    int n = 0;
    for (int y = 0; y < image.height(); ++y) {
        const QRgb *line = reinterpret_cast<const QRgb *>(image.constScanLine(y));
        for (int x = 0; x < image.width(); ++x)
            n += (line[x] & 0xffffff) == (colour & 0xffffff);
    }
    return n;
}

QStringList svgTexts(const QByteArray &svg)
{
    QStringList texts;
    QXmlStreamReader xml(svg);
    while (!xml.atEnd()) {
        if (xml.readNext() == QXmlStreamReader::StartElement
            && xml.name() == QLatin1StringView("text"))
            texts.append(xml.readElementText(QXmlStreamReader::IncludeChildElements).trimmed());
    }
    return texts;
}

} // namespace

// Presenter mode enlarges the font: the glyphs grow with it, not only the text.
void TestTimeline::marksGrowWithTheFont()
{
    Session session;
    session.events.append(ev(EventKind::Connect, 0, Side::Client, 1));
    session.events.append(ev(EventKind::Rst, 500'000, Side::Client, 1));
    session.events.append(ev(EventKind::Close, 1'000'000, Side::Client, 1));
    const TimelineModel model(&session);
    const auto diamondPixels = [&](qreal points) {
        QFont font;
        font.setPointSizeF(points);
        const TimelinePainter painter(model, TimelineStyle(), font);
        QImage image(painter.sessionSize(1000), QImage::Format_RGB32);
        QPainter p(&image);
        painter.paintSession(p, image.size());
        p.end();
        return countColour(image, TimelineStyle().kindColor(EventKind::Rst).rgb());
    };
    const int small = diamondPixels(9);
    const int large = diamondPixels(18);
    QVERIFY2(small > 20, qPrintable(QString::number(small)));
    // Twice the font, about four times the area.
    QVERIFY2(large > 3 * small, qPrintable(QStringLiteral("%1 vs %2").arg(large).arg(small)));
}

// A label that does not fit before the next mark is cut with an ellipsis, not dropped.
void TestTimeline::labelsAreElidedToTheRoomBeforeTheNextMark()
{
    Session session;
    session.events.append(ev(EventKind::Connect, 0, Side::Client, 1));
    Event fin = ev(EventKind::Shutdown, 940'000, Side::Client, 1);
    fin.how = ShutdownHow::Write;
    session.events.append(fin);
    session.events.append(ev(EventKind::Close, 1'000'000, Side::Client, 1));
    const TimelineModel model(&session);
    const TimelinePainter painter(model, TimelineStyle(), QFont());
    QString error;
    const auto svg = TimelineExport::svg(painter, QStringLiteral("t"), &error, 1000);
    QVERIFY2(svg, qPrintable(error));
    const QStringList texts = svgTexts(*svg);
    QVERIFY2(texts.contains(QStringLiteral("connect")), qPrintable(texts.join(u'|')));
    QVERIFY2(texts.contains(QStringLiteral("close")), qPrintable(texts.join(u'|')));
    QVERIFY2(!texts.contains(QStringLiteral("FIN (SHUT_WR)")), qPrintable(texts.join(u'|')));
    const auto elided = std::find_if(texts.begin(), texts.end(), [](const QString &t) {
        return t.startsWith(u'F') && t.endsWith(u'…');
    });
    QVERIFY2(elided != texts.end(), qPrintable(texts.join(u'|')));
    QVERIFY(QStringLiteral("FIN (SHUT_WR)").startsWith(elided->chopped(1)));
}

void TestTimeline::styleIsReadableOnLightAndDarkPalettes()
{
    QPalette light;
    light.setColor(QPalette::Base, Qt::white);
    light.setColor(QPalette::Text, Qt::black);
    QPalette dark;
    dark.setColor(QPalette::Base, QColor(0x20, 0x20, 0x20));
    dark.setColor(QPalette::Text, QColor(0xee, 0xee, 0xee));
    const TimelineStyle onLight(light);
    const TimelineStyle onDark(dark);
    QVERIFY(!onLight.isDark());
    QVERIFY(onDark.isDark());
    // Text colours stand apart from the base they are drawn on.
    for (const QColor &c : {onLight.bad(), onLight.good(), onLight.kindTextColor(EventKind::Rst)})
        QVERIFY2(c.lightness() < 128, qPrintable(c.name()));
    for (const QColor &c : {onDark.bad(),
                            onDark.good(),
                            onDark.kindTextColor(EventKind::Rst),
                            onDark.kindTextColor(EventKind::Error)})
        QVERIFY2(c.lightness() > 128, qPrintable(c.name()));
    QVERIFY(!onLight.kindTextColor(EventKind::Send).isValid()); // the palette's own text
    // One hue per state, shaded for each use: the band and the badge share it.
    for (const TcpState s : {TcpState::Established, TcpState::CloseWait, TcpState::FinWait2}) {
        QCOMPARE(onLight.stateBand(s).hue(), TimelineStyle::stateHue(s).hue());
        QCOMPARE(onLight.stateBadge(s).hue(), TimelineStyle::stateHue(s).hue());
        QVERIFY(onDark.stateBand(s).lightness() < onLight.stateBand(s).lightness());
    }
    QCOMPARE(TimelineStyle::badgeText(onLight.stateBadge(TcpState::Established)),
             QColor(Qt::black));
    QCOMPARE(TimelineStyle::badgeText(onLight.resetBadge()), QColor(Qt::white));
}

void TestTimeline::formatsBytes_data()
{
    QTest::addColumn<qint64>("bytes");
    QTest::addColumn<QString>("text");
    QTest::newRow("bytes") << qint64(512) << "512 B";
    QTest::newRow("KiB") << qint64(1536) << "1.5 KiB";
    QTest::newRow("MiB") << qint64(12) * 1024 * 1024 << "12.0 MiB";
    QTest::newRow("GiB") << (qint64(3) << 30) << "3.00 GiB";
}

void TestTimeline::formatsBytes()
{
    QFETCH(qint64, bytes);
    QFETCH(QString, text);
    QCOMPARE(TimelineStyle::formatBytes(bytes), text);
}

QTEST_MAIN(TestTimeline)
#include "tst_timeline.moc"
