// Session files: a round trip of every event kind, and malformed files refused with the field
// named.

#include "engine/core/action.h"
#include "engine/session/eventformat.h"
#include "engine/session/session.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>
#include <functional>

using namespace finscope;

namespace {

Event makeEvent(EventKind kind, qint64 t, Side side = Side::Client)
{
    Event e;
    e.kind = kind;
    e.tNs = t;
    e.side = side;
    e.conn = 1;
    return e;
}

// A session holding every event kind, actions, endpoints and payloads.
Session sampleSession()
{
    Session s;
    s.tool = QStringLiteral("finscope-cli test");
    s.wallClockStart = QDateTime(QDate(2026, 11, 24), QTime(9, 38, 1, 123), Qt::UTC);
    s.endpoints.append({Side::Client, 1, "127.0.0.1:40312", "127.0.0.1:5555", "localhost:5555"});
    s.endpoints.append({Side::Server, 1, "127.0.0.1:5555", "127.0.0.1:40312", "127.0.0.1:0"});
    s.actions.append({1000, Side::Client, 1, "send Hello\\n", 1500});
    s.actions.append({2000, Side::Client, 1, "shutdown wr"});
    EventStore &st = s.events;
    Event e = makeEvent(EventKind::Listen, 10, Side::Server);
    e.conn = 0;
    st.appendWithText(e, "127.0.0.1:5555");
    st.appendWithText(makeEvent(EventKind::Connect, 20),
                      "local 127.0.0.1:40312, peer 127.0.0.1:5555");
    st.appendWithText(makeEvent(EventKind::Accept, 21, Side::Server), "local a, peer b");
    e = makeEvent(EventKind::State, 22);
    e.state = TcpState::Established;
    st.append(e);
    e = makeEvent(EventKind::Send, 1100);
    e.bytes = 6;
    st.append(e, "Hello\n");
    e = makeEvent(EventKind::Queue, 1101);
    e.bytes = 3;
    e.outq = 6;
    e.inq = 0;
    st.append(e);
    e = makeEvent(EventKind::Recv, 1200, Side::Server);
    e.bytes = 6;
    st.append(e, "Hello\n");
    e = makeEvent(EventKind::Shutdown, 2100);
    e.how = ShutdownHow::Write;
    st.append(e);
    st.append(makeEvent(EventKind::Eof, 2200, Side::Server));
    e = makeEvent(EventKind::Error, 2300);
    e.err = EPIPE;
    st.appendWithText(e, "send refused");
    e = makeEvent(EventKind::Rst, 2400);
    e.err = ECONNRESET;
    e.origin = RstOrigin::Peer;
    e.via = Via::Notify;
    st.append(e);
    e = makeEvent(EventKind::Close, 2500, Side::Server);
    e.bytes = 12;
    st.appendWithText(e, "12 unread bytes: the kernel sends RST, not FIN");
    st.append(makeEvent(EventKind::Abort, 2600));
    return s;
}

QJsonObject sampleJson()
{
    return sampleSession().toJson();
}

QByteArray mutated(const std::function<void(QJsonObject &)> &change)
{
    QJsonObject o = sampleJson();
    change(o);
    return QJsonDocument(o).toJson();
}

// Changes field `key` of element `index` of array `array`.
std::function<void(QJsonObject &)>
setIn(const QString &array, int index, const QString &key, const QJsonValue &value)
{
    return [=](QJsonObject &o) {
        QJsonArray a = o.value(array).toArray();
        QJsonObject item = a.at(index).toObject();
        if (value.isUndefined())
            item.remove(key);
        else
            item.insert(key, value);
        a.replace(index, item);
        o.insert(array, a);
    };
}

int indexOfKind(const QString &kind)
{
    const QJsonArray events = sampleJson().value(QStringLiteral("events")).toArray();
    for (int i = 0; i < events.size(); ++i) {
        if (events.at(i).toObject().value(QStringLiteral("kind")).toString() == kind)
            return i;
    }
    return -1;
}

} // namespace

class TestSession : public QObject
{
    Q_OBJECT

private slots:
    void roundTripKeepsEveryField();
    void payloadCapSurvivesRoundTrip();
    void savedFileMatchesToJson();
    void largestActionsSurviveRoundTrip();
    void refusesMalformedFiles_data();
    void refusesMalformedFiles();
    void refusesMissingAndUnwritableFiles();
    void fuzzInputsNeverCrash();
    void ignoresUnknownFields();
    void formatsEventsForPeople();
    void answersSidesAndTargets();
};

void TestSession::roundTripKeepsEveryField()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("s.json"));
    const Session original = sampleSession();
    QString error;
    QVERIFY2(original.save(path, &error), qPrintable(error));
    const auto loaded = Session::load(path, &error);
    QVERIFY2(loaded, qPrintable(error));
    QCOMPARE(loaded->tool, original.tool);
    QCOMPARE(loaded->wallClockStart, original.wallClockStart);
    QCOMPARE(loaded->endpoints.size(), 2);
    QCOMPARE(loaded->endpoints.at(0).localAddress, QStringLiteral("127.0.0.1:40312"));
    QCOMPARE(loaded->endpoints.at(0).target, QStringLiteral("localhost:5555"));
    QCOMPARE(loaded->actions.size(), 2);
    QCOMPARE(loaded->actions.at(0).text, QStringLiteral("send Hello\\n"));
    QCOMPARE(loaded->actions.at(1).tNs, 2000);
    QCOMPARE(loaded->actions.at(0).endNs, 1500); // when the send returned
    QCOMPARE(loaded->actions.at(1).endNs, -1);   // not recorded
    const EventStore &a = original.events;
    const EventStore &b = loaded->events;
    QCOMPARE(b.size(), a.size());
    for (qsizetype i = 0; i < a.size(); ++i) {
        const Event &x = a.at(i);
        const Event &y = b.at(i);
        QCOMPARE(y.kind, x.kind);
        QCOMPARE(y.tNs, x.tNs);
        QCOMPARE(y.side, x.side);
        QCOMPARE(y.conn, x.conn);
        QCOMPARE(y.bytes, x.bytes);
        QCOMPARE(y.offset, x.offset);
        QCOMPARE(y.outq, x.outq);
        QCOMPARE(y.inq, x.inq);
        QCOMPARE(y.err, x.err);
        QCOMPARE(y.how, x.how);
        QCOMPARE(y.state, x.state);
        QCOMPARE(y.via, x.via);
        QCOMPARE(y.origin, x.origin);
        QCOMPARE(b.string(y.text), a.string(x.text));
    }
    QCOMPARE(b.payloadStream(Side::Client, 1, Direction::Sent)->data, QByteArray("Hello\n"));
    QCOMPARE(b.payloadStream(Side::Server, 1, Direction::Received)->total, 6);
}

// save() streams the events itself; what it writes must be exactly what toJson() describes,
// including texts that need escaping.
void TestSession::savedFileMatchesToJson()
{
    Session s = sampleSession();
    Event e = makeEvent(EventKind::Error, 3000);
    s.events.appendWithText(e,
                            QStringLiteral("quote \" backslash \\ tab \t nul \x01 é ✓ \U0001F600"));
    e = makeEvent(EventKind::State, 3100, Side::Server);
    e.state = TcpState::TimeWait;
    s.events.appendWithText(e, QStringLiteral("kernel table after close"));
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("s.json"));
    QString error;
    QVERIFY2(s.save(path, &error), qPrintable(error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    QCOMPARE(parseError.error, QJsonParseError::NoError);
    QCOMPARE(doc.toJson(QJsonDocument::Compact),
             QJsonDocument(s.toJson()).toJson(QJsonDocument::Compact));
    // Brackets, braces and escaped quotes inside strings do not end an element early: the
    // loader finds each event's bytes itself.
    const QString tricky = QStringLiteral("\"}, {\"t_ns\": 1} ] [ \\\" \\");
    s.tool = tricky;
    s.events.appendWithText(makeEvent(EventKind::Error, 3200), tricky);
    QVERIFY2(s.save(path, &error), qPrintable(error));
    const std::optional<Session> tricked = Session::load(path, &error);
    QVERIFY2(tricked, qPrintable(error));
    QCOMPARE(tricked->tool, tricky);
    QCOMPARE(tricked->events.size(), s.events.size());
    QCOMPARE(tricked->events.string(tricked->events.at(s.events.size() - 1).text), tricky);
    // And an empty session still writes an empty events array.
    Session empty;
    empty.wallClockStart = s.wallClockStart;
    QVERIFY2(empty.save(path, &error), qPrintable(error));
    const std::optional<Session> loaded = Session::load(path, &error);
    QVERIFY2(loaded, qPrintable(error));
    QCOMPARE(loaded->events.size(), 0);
}

// The largest pattern and wait an action takes are what the file's numbers hold: a session that
// recorded them opens again (a larger one is refused when the action is parsed, tst_action).
void TestSession::largestActionsSurviveRoundTrip()
{
    const QString pattern = QStringLiteral("send-pattern 8388608G");
    const QString wait = QStringLiteral("wait %1").arg(MaxWaitMs);
    QVERIFY(Action::parse(pattern, nullptr));
    QVERIFY(Action::parse(wait, nullptr));
    QCOMPARE(Action::parse(pattern, nullptr)->count, MaxPatternBytes);
    Session s = sampleSession();
    s.actions.append({3000, Side::Client, 1, pattern});
    s.actions.append({4000, Side::Client, 1, wait, 4000 + MaxWaitMs * 1'000'000});
    QVERIFY(4000 + MaxWaitMs * 1'000'000 <= MaxPatternBytes);
    Event e = makeEvent(EventKind::Queue, 3001);
    e.bytes = MaxPatternBytes; // all of it still in the user-space queue
    s.events.append(e);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("large.json"));
    QString error;
    QVERIFY2(s.save(path, &error), qPrintable(error));
    const auto loaded = Session::load(path, &error);
    QVERIFY2(loaded, qPrintable(error));
    QCOMPARE(loaded->actions.size(), s.actions.size());
    QCOMPARE(loaded->actions.last().endNs, 4000 + MaxWaitMs * 1'000'000);
    QCOMPARE(loaded->events.at(loaded->events.size() - 1).bytes, MaxPatternBytes);
}

void TestSession::payloadCapSurvivesRoundTrip()
{
    Session s = sampleSession();
    s.events.clear();
    s.events.setPayloadCap(10);
    Event e = makeEvent(EventKind::Send, 5);
    e.bytes = 8;
    s.events.append(e, "01234567");
    e.offset = 8;
    s.events.append(e, "89abcdef");
    QVERIFY(s.events.payloadCut());
    QCOMPARE(s.events.payloadKept(), 10);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("cap.json"));
    QString error;
    QVERIFY(s.save(path, &error));
    const auto loaded = Session::load(path, &error);
    QVERIFY2(loaded, qPrintable(error));
    QVERIFY(loaded->events.payloadCut());
    QCOMPARE(loaded->events.payloadCap(), 10);
    const PayloadStream *stream = loaded->events.payloadStream(Side::Client, 1, Direction::Sent);
    QVERIFY(stream);
    QCOMPARE(stream->data, QByteArray("0123456789"));
    QCOMPARE(stream->total, 16);
}

void TestSession::refusesMalformedFiles_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("message");
    const QByteArray valid = QJsonDocument(sampleJson()).toJson();
    const int send = indexOfKind(QStringLiteral("send"));
    const int shutdown = indexOfKind(QStringLiteral("shutdown"));
    const int state = indexOfKind(QStringLiteral("state"));
    const int queue = indexOfKind(QStringLiteral("queue"));
    const int error = indexOfKind(QStringLiteral("error"));
    const int close = indexOfKind(QStringLiteral("close"));
    const auto ev = [](int i, const char *field) {
        return QStringLiteral("events[%1].%2").arg(i).arg(QLatin1StringView(field));
    };

    QTest::newRow("empty file") << QByteArray() << "is empty";
    QTest::newRow("only whitespace") << QByteArray("  \n") << "is empty";
    QTest::newRow("not JSON") << QByteArray("hello") << "not valid JSON";
    QTest::newRow("truncated halfway") << valid.left(valid.size() / 2) << "not valid JSON";
    QTest::newRow("truncated by one byte") << valid.chopped(2) << "not valid JSON";
    QTest::newRow("top level array")
        << QByteArray("[1, 2]") << "the top level is an array, not a JSON object";
    QTest::newRow("deep nesting") << QByteArray(100000, '[') << "not valid JSON";
    QTest::newRow("deep nesting in a field")
        << QByteArray("{\"format\": ") + QByteArray(5000, '[') << "not valid JSON";
    QTest::newRow("missing format")
        << mutated([](QJsonObject &o) { o.remove("format"); }) << "format: expected a string";
    QTest::newRow("other format") << mutated([](QJsonObject &o) { o["format"] = "pcap"; })
                                  << "format: expected \"finscope-session\"";
    QTest::newRow("newer version") << mutated([](QJsonObject &o) { o["version"] = 2; })
                                   << "version 2 is newer than this FinScope reads (1)";
    QTest::newRow("version as string")
        << mutated([](QJsonObject &o) { o["version"] = "1"; })
        << "version: expected an integer from 1 to 9007199254740992, found \"1\"";
    QTest::newRow("version zero") << mutated([](QJsonObject &o) {
        o["version"] = 0;
    }) << "version: expected an integer from 1 to 9007199254740992, found 0";
    QTest::newRow("fractional version")
        << mutated([](QJsonObject &o) { o["version"] = 1.5; })
        << "version: expected an integer from 1 to 9007199254740992, found 1.5";
    QTest::newRow("bad wall clock")
        << mutated([](QJsonObject &o) { o["wall_clock_start"] = "noon"; })
        << "wall_clock_start: 'noon' is not an ISO 8601";
    QTest::newRow("tool not a string")
        << mutated([](QJsonObject &o) { o["tool"] = 3; }) << "tool: expected a string";
    QTest::newRow("payload_cut not a bool")
        << mutated([](QJsonObject &o) { o["payload_cut"] = "no"; }) << "payload_cut: expected true";
    QTest::newRow("negative payload cap")
        << mutated([](QJsonObject &o) { o["payload_cap"] = -1; })
        << "payload_cap: expected a non-negative integer up to 2^53, found -1";
    QTest::newRow("missing events")
        << mutated([](QJsonObject &o) { o.remove("events"); }) << "events: expected an array";
    QTest::newRow("events not an array")
        << mutated([](QJsonObject &o) { o["events"] = QJsonObject(); })
        << "events: expected an array";
    QTest::newRow("event not an object")
        << mutated([](QJsonObject &o) { o["events"] = QJsonArray{1}; })
        << "events[0]: expected an object";
    QTest::newRow("unknown kind") << mutated(setIn("events", 0, "kind", "explode"))
                                  << "events[0].kind: 'explode' is not an event kind";
    QTest::newRow("kind missing") << mutated(setIn("events", 0, "kind", QJsonValue::Undefined))
                                  << "events[0].kind: expected a string";
    QTest::newRow("bad side") << mutated(setIn("events", 1, "side", "middle"))
                              << "events[1].side: 'middle' is not client or server";
    QTest::newRow("negative conn")
        << mutated(setIn("events", 1, "conn", -1))
        << "events[1].conn: expected an integer from 0 to 4294967295, found -1";
    QTest::newRow("huge conn") << mutated(setIn("events", 1, "conn", 1e12)) << "events[1].conn";
    QTest::newRow("fractional t_ns")
        << mutated(setIn("events", 1, "t_ns", 1.5))
        << "events[1].t_ns: expected a non-negative integer up to 2^53, found 1.5";
    QTest::newRow("huge t_ns") << mutated(setIn("events", 1, "t_ns", 1e300)) << "events[1].t_ns";
    QTest::newRow("t_ns as string") << mutated(setIn("events", 1, "t_ns", "5")) << "events[1].t_ns";
    QTest::newRow("negative bytes")
        << mutated(setIn("events", send, "bytes", -6)) << ev(send, "bytes");
    QTest::newRow("send without offset")
        << mutated(setIn("events", send, "offset", QJsonValue::Undefined)) << ev(send, "offset");
    QTest::newRow("shutdown without how")
        << mutated(setIn("events", shutdown, "how", QJsonValue::Undefined)) << ev(shutdown, "how");
    QTest::newRow("bad how") << mutated(setIn("events", shutdown, "how", "sideways"))
                             << ev(shutdown, "how") + ": 'sideways' is not rd, wr or rdwr";
    const int rst = indexOfKind(QStringLiteral("rst"));
    QTest::newRow("bad via") << mutated(setIn("events", rst, "via", "sometimes"))
                             << ev(rst, "via") + ": 'sometimes' is not call, notify or poll";
    QTest::newRow("bad origin") << mutated(setIn("events", rst, "origin", "elsewhere"))
                                << ev(rst, "origin") + ": 'elsewhere' is not peer or local";
    QTest::newRow("bad state name") << mutated(setIn("events", state, "state", "HALF_OPEN"))
                                    << ev(state, "state") + ": 'HALF_OPEN' is not a TCP state";
    QTest::newRow("outq too large")
        << mutated(setIn("events", queue, "outq", 1e10)) << ev(queue, "outq");
    QTest::newRow("queue without inq")
        << mutated(setIn("events", queue, "inq", QJsonValue::Undefined)) << ev(queue, "inq");
    QTest::newRow("bad errno name") << mutated(setIn("events", error, "errno", "EWHATEVER"))
                                    << ev(error, "errno") + ": 'EWHATEVER' is not an errno name";
    QTest::newRow("message not a string")
        << mutated(setIn("events", error, "message", 5)) << ev(error, "message");
    QTest::newRow("text not a string") << mutated(setIn("events", error, "text", QJsonArray()))
                                       << ev(error, "text") + ": expected a string";
    QTest::newRow("negative unread")
        << mutated(setIn("events", close, "unread", -3)) << ev(close, "unread");
    QTest::newRow("bad action text") << mutated(setIn("actions", 0, "action", "sned x"))
                                     << "actions[0].action: unknown action 'sned'";
    QTest::newRow("action not a string")
        << mutated(setIn("actions", 1, "action", 7)) << "actions[1].action: expected a string";
    QTest::newRow("action negative time")
        << mutated(setIn("actions", 1, "t_ns", -7)) << "actions[1].t_ns";
    QTest::newRow("action ends before it starts")
        << mutated(setIn("actions", 0, "end_ns", 500))
        << "actions[0].end_ns: ends before it starts (t_ns 1000)";
    QTest::newRow("action end as string")
        << mutated(setIn("actions", 0, "end_ns", "1500")) << "actions[0].end_ns";
    QTest::newRow("endpoint bad side")
        << mutated(setIn("endpoints", 0, "side", 1)) << "endpoints[0].side: expected a string";
    QTest::newRow("endpoint local not a string")
        << mutated(setIn("endpoints", 1, "local", 1)) << "endpoints[1].local: expected a string";
    QTest::newRow("payload bad base64")
        << mutated(setIn("payloads", 0, "data", "***")) << "payloads[0].data: not valid base64";
    QTest::newRow("payload longer than total")
        << mutated(setIn("payloads", 0, "total", 2)) << "payloads[0].data: holds 6 bytes";
    QTest::newRow("payload bad direction") << mutated(setIn("payloads", 0, "direction", "up"))
                                           << "payloads[0].direction: 'up' is not sent or received";
    QTest::newRow("duplicate payload stream") << mutated([](QJsonObject &o) {
        QJsonArray a = o.value("payloads").toArray();
        a.append(a.at(0));
        o["payloads"] = a;
    }) << "payloads[2].conn: a second payload for client 1 sent";
    QTest::newRow("payloads over the cap")
        << mutated([](QJsonObject &o) { o["payload_cap"] = 4; })
        << "payloads: hold 12 bytes in all, more than payload_cap (4)";
    QTest::newRow("version past 2^53")
        << mutated([](QJsonObject &o) { o["version"] = 1e300; }) << "version: expected an integer";
    // QJsonDocument keeps the last of two equal keys without a word; FinScope refuses the file.
    QTest::newRow("duplicate key at the top")
        << QByteArray("{\"comment\": 1, \"comment\": 2,") + valid.mid(1)
        << "the key \"comment\" appears twice in one object";
    QByteArray twice = valid;
    twice.replace("\"kind\": \"send\"", "\"kind\": \"send\", \"bytes\": 1");
    QTest::newRow("duplicate key in an event")
        << twice << ev(send, "").chopped(1) + ": the key \"bytes\" appears twice";
    twice = valid;
    twice.replace("\"kind\": \"send\"", "\"kind\": \"send\", \"t_\\u006es\": 1");
    QTest::newRow("duplicate key spelt with an escape")
        << twice << ": the key \"t_ns\" appears twice";
    twice = valid;
    twice.replace("\"tool\":", "\"tool\": 1, \"events\": [], \"tool\":");
    QTest::newRow("a second events array") << twice << "appears twice in one object";
    QTest::newRow("duplicate key after a byte order mark")
        << QByteArray("\xef\xbb\xbf{\"comment\": 1, \"comment\": 2,") + valid.mid(1)
        << "the key \"comment\" appears twice in one object";
    QByteArray badUtf8 = valid;
    badUtf8.replace("\"kind\": \"send\"", "\"kind\": \"se\xffnd\"");
    QTest::newRow("invalid UTF-8 in an event") << badUtf8 << "is not valid JSON";
    badUtf8 = valid;
    badUtf8.replace("\"payloads\":",
                    "\"pa\x87"
                    "ds\":");
    QTest::newRow("invalid UTF-8 in the key of an array") << badUtf8 << "is not valid JSON";
    badUtf8 = valid;
    badUtf8.replace("\"payloads\":", "\"unknown\": [\"\xff\"], \"payloads\":");
    QTest::newRow("invalid UTF-8 in an unknown array") << badUtf8 << "is not valid JSON";
    QTest::newRow("payloads not an array")
        << mutated([](QJsonObject &o) { o["payloads"] = 1; }) << "payloads: expected an array";
}

void TestSession::refusesMalformedFiles()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, message);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bad.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(content);
    file.close();
    QString error;
    QVERIFY(!Session::load(path, &error));
    QVERIFY2(error.contains(message), qPrintable(error));
    QVERIFY2(error.contains(path), qPrintable(error));
}

void TestSession::refusesMissingAndUnwritableFiles()
{
    QTemporaryDir dir;
    QString error;
    QVERIFY(!Session::load(dir.filePath(QStringLiteral("missing.json")), &error));
    QVERIFY2(error.contains(QLatin1StringView("missing.json")), qPrintable(error));
    // A directory (or a FIFO, /dev/zero) is refused before anything tries to read it.
    QVERIFY(!Session::load(dir.path(), &error));
    QVERIFY2(error.contains(QLatin1StringView("is not a regular file")), qPrintable(error));
    const QString unwritable = dir.filePath(QStringLiteral("no/such/dir/s.json"));
    QVERIFY(!sampleSession().save(unwritable, &error));
    QVERIFY2(error.contains(unwritable), qPrintable(error));
}

// Everything the fuzzer found, and its seed corpus: each file loads or is refused with a message.
void TestSession::fuzzInputsNeverCrash()
{
    const QDir fuzz(QStringLiteral(FINSCOPE_SOURCE_DIR "/tests/fuzz"));
    int seeds = 0;
    for (const QString &folder : {QStringLiteral("corpus"), QStringLiteral("regressions")}) {
        const QDir dir(fuzz.filePath(folder));
        for (const QFileInfo &info : dir.entryInfoList(QDir::Files)) {
            if (info.fileName() == QLatin1StringView("README.md"))
                continue;
            QString error;
            const std::optional<Session> session = Session::load(info.filePath(), &error);
            QVERIFY2(session || error.contains(info.filePath()), qPrintable(info.filePath()));
            if (folder == QLatin1StringView("corpus")) {
                QVERIFY2(session, qPrintable(error)); // the seeds are valid sessions
                ++seeds;
            }
        }
    }
    QVERIFY(seeds > 0);
}

void TestSession::ignoresUnknownFields()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("extra.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(mutated([](QJsonObject &o) { o["comment"] = "added by a newer 1.x writer"; }));
    file.close();
    QString error;
    const auto loaded = Session::load(path, &error);
    QVERIFY2(loaded, qPrintable(error));
    QCOMPARE(loaded->events.size(), sampleSession().events.size());

    // A file from before via and origin still loads: a call's result, no origin.
    const int rst = indexOfKind(QStringLiteral("rst"));
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QJsonObject older = sampleJson();
    QJsonArray events = older["events"].toArray();
    QJsonObject oldRst = events[rst].toObject();
    oldRst.remove("via");
    oldRst.remove("origin");
    events[rst] = oldRst;
    older["events"] = events;
    file.write(QJsonDocument(older).toJson());
    file.close();
    const auto old = Session::load(path, &error);
    QVERIFY2(old, qPrintable(error));
    const Event &loadedRst = old->events.at(rst);
    QCOMPARE(loadedRst.kind, EventKind::Rst);
    QCOMPARE(loadedRst.via, Via::Call);
    QCOMPARE(loadedRst.origin, RstOrigin::None);
}

void TestSession::formatsEventsForPeople()
{
    const Session s = sampleSession();
    const EventStore &st = s.events;
    const auto line = [&](EventKind kind) {
        for (const Event &e : st.events()) {
            if (e.kind == kind)
                return formatEvent(e, st);
        }
        return QString();
    };
    QCOMPARE(line(EventKind::Send),
             QStringLiteral("    0.000001  client 1  send     6 B @0  \"Hello\\n\""));
    QVERIFY(line(EventKind::Shutdown).endsWith(QLatin1StringView("shutdown wr")));
    QVERIFY(line(EventKind::State).endsWith(QLatin1StringView("ESTABLISHED")));
    QVERIFY(line(EventKind::Queue).endsWith(QLatin1StringView("userq=3 outq=6 inq=0")));
    QVERIFY(line(EventKind::Rst).contains(QLatin1StringView("ECONNRESET")));
    QVERIFY2(line(EventKind::Rst).endsWith(QLatin1StringView("[origin peer, via notify]")),
             qPrintable(line(EventKind::Rst)));
    // A call's result says nothing of how it was found: older sessions read as they did.
    QVERIFY(!line(EventKind::Send).contains(QLatin1StringView("via")));
    QVERIFY(line(EventKind::Close).contains(QLatin1StringView("12 unread")));
}

void TestSession::answersSidesAndTargets()
{
    Session s;
    s.endpoints.append({Side::Client, 1, "127.0.0.1:40312", "127.0.0.1:5555", "localhost:5555"});
    s.endpoints.append({Side::Client, 2, "[::1]:40313", "[::1]:5556", QString()});
    s.endpoints.append({Side::Server, 1, "127.0.0.1:5555", "127.0.0.1:40312", "127.0.0.1:5555"});
    s.actions.append({0, Side::Server, 1, QStringLiteral("read-until-eof")});
    QVERIFY(s.hasActions(Side::Server));
    QVERIFY(!s.hasActions(Side::Client));
    s.actions.append({1, Side::Client, 2, QStringLiteral("close")});
    QVERIFY(s.hasActions(Side::Client));
    // What the user asked for, else the peer the client reached; a server's listen address.
    QCOMPARE(s.recordedTarget(Side::Client, 1), QStringLiteral("localhost:5555"));
    QCOMPARE(s.recordedTarget(Side::Client, 2), QStringLiteral("[::1]:5556"));
    QCOMPARE(s.recordedTarget(Side::Server, 1), QStringLiteral("127.0.0.1:5555"));
    QCOMPARE(s.recordedTarget(Side::Client, 3), QString());
}

QTEST_GUILESS_MAIN(TestSession)
#include "tst_session.moc"
