// The replay window driven through its real widgets (QT_QPA_PLATFORM=offscreen): saved example
// sessions replayed on loopback at ports the OS picks, against live peers run in this process.

#include "engine/core/action.h"
#include "engine/run/actionrunner.h"
#include "engine/run/workbench.h"
#include "replaywindow.h"
#include "sessionview.h"
#include "timelinewidget.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace finscope;

namespace {

Session example(const char *name)
{
    QString error;
    const auto session
        = Session::load(QStringLiteral(FINSCOPE_EXAMPLES "/") + QLatin1StringView(name), &error);
    if (!session)
        qFatal("cannot load example %s: %s", name, qPrintable(error));
    return *session;
}

// A live server in this process that runs the given actions on each connection it accepts.
class LiveServer
{
public:
    explicit LiveServer(const QStringList &words)
    {
        for (const QString &word : words) {
            QString error;
            const auto action = Action::parse(word, &error);
            if (!action)
                qFatal("bad action %s: %s", qPrintable(word), qPrintable(error));
            m_actions.append(*action);
        }
        QObject::connect(&m_workbench, &Workbench::serverConnectionAdded, [this](Endpoint *ep) {
            (new ActionRunner(ep, m_actions, &m_workbench))->start();
        });
        QString error;
        if (!m_workbench.listen(QHostAddress::LocalHost, 0, &error))
            qFatal("listen: %s", qPrintable(error));
    }
    QString address() const { return m_workbench.listenAddress(); }

private:
    Workbench m_workbench;
    QList<Action> m_actions;
};

// The recording as if the server's FIN had crossed the client's: CLOSE_WAIT sampled 0.1 ms
// before the client's shutdown wr, and no TIME_WAIT after its close.
Session withCrossedFins(const Session &recording)
{
    Session out;
    out.wallClockStart = recording.wallClockStart;
    out.tool = recording.tool;
    out.endpoints = recording.endpoints;
    out.actions = recording.actions;
    const EventStore &store = recording.events;
    for (Event e : store.events()) {
        if (e.kind == EventKind::State && e.state == TcpState::TimeWait)
            continue;
        if (e.kind == EventKind::Shutdown) {
            Event closeWait = e;
            closeWait.kind = EventKind::State;
            closeWait.state = TcpState::CloseWait;
            closeWait.tNs = e.tNs - 100'000;
            out.events.append(closeWait);
        }
        const QString text = store.string(e.text);
        e.text = text.isEmpty() ? 0 : out.events.internString(text);
        QByteArray payload;
        if (e.kind == EventKind::Send || e.kind == EventKind::Recv) {
            const Direction d = e.kind == EventKind::Send ? Direction::Sent : Direction::Received;
            payload = store.payloadStream(e.side, e.conn, d)->data.mid(e.offset, e.bytes);
        }
        out.events.append(e, payload);
    }
    return out;
}

QString listed(const QListWidget *list)
{
    QString all;
    for (int i = 0; i < list->count(); ++i)
        all += list->item(i)->text() + u'\n';
    return all;
}

int comboIndex(QComboBox *combo, Replayer::Mode mode)
{
    return combo->findData(int(mode));
}

// Answers the next confirmation the window shows (a modal QMessageBox) with button, and keeps
// what it said.
class Answer
{
public:
    explicit Answer(QMessageBox::StandardButton button)
    {
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this, button] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            if (!box)
                return;
            m_timer.stop();
            title = box->windowTitle();
            text = box->text();
            plain = box->textFormat() == Qt::PlainText;
            box->button(button)->click();
        });
        m_timer.start(10);
    }
    bool asked() const { return !m_timer.isActive(); }

    QString title;
    QString text;
    bool plain = false;

private:
    QTimer m_timer;
};

// A recording whose client sent the file at path (what it sent then: `sent`), then half-closed
// and closed; its server read to EOF and closed. The client went to target.
Session sentFile(const QString &path, const QByteArray &sent, const QString &target)
{
    constexpr qint64 Ms = 1'000'000;
    Session s;
    s.wallClockStart = QDateTime::currentDateTimeUtc();
    s.endpoints.append({Side::Client, 1, QString(), QString(), target});
    s.actions = {{0, Side::Client, 1, QStringLiteral("send-file ") + path, Ms},
                 {0, Side::Server, 1, QStringLiteral("read-until-eof")},
                 {10 * Ms, Side::Client, 1, QStringLiteral("shutdown wr")},
                 {11 * Ms, Side::Client, 1, QStringLiteral("read-until-eof")},
                 {11 * Ms, Side::Server, 1, QStringLiteral("close")},
                 {12 * Ms, Side::Client, 1, QStringLiteral("close")}};
    Event send;
    send.kind = EventKind::Send;
    send.conn = 1;
    send.tNs = Ms / 2;
    send.bytes = sent.size();
    s.events.append(send, sent);
    return s;
}

QByteArray serverReceived(const Session &replay)
{
    const PayloadStream *got = replay.events.payloadStream(Side::Server, 1, Direction::Received);
    return got ? got->data : QByteArray();
}

} // namespace

class TestAppReplay : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void opensWithoutConnecting();
    void bothEndsReplayIsEquivalent();
    void clientReplayAgainstALivePeer();
    void clientReplayAgainstAPeerThatResets();
    void steppingWithNext();
    void badTargetIsRefusedBeforeConnecting();
    void stopHaltsTheReplay();
    void nextPressesDoNotPileUp();
    void payloadCheckComparesTheBytes();
    void racedCloseOrderIsARaceUnlessStrict();
    void filesAreReadOnlyAfterTheUserAgrees();
    void remoteTargetAsksBeforeConnecting();
};

void TestAppReplay::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("FinScopeTest"));
    QStandardPaths::setTestModeEnabled(true);
}

void TestAppReplay::opensWithoutConnecting()
{
    ReplayWindow w(example("half-close-client.json"), QStringLiteral("half-close-client.json"));
    w.show();
    QVERIFY(!w.replayer());
    QVERIFY(!w.hasResult());
    // Only client actions were recorded: the client against a live server is preselected, and
    // the recorded target is what it will use unless told otherwise.
    QCOMPARE(w.sideCombo()->currentIndex(), comboIndex(w.sideCombo(), Replayer::Mode::Client));
    QCOMPARE(w.targetEdit()->placeholderText(), QStringLiteral("127.0.0.1:38201"));
    QVERIFY(w.targetEdit()->isEnabled());
    QVERIFY(!w.nextButton()->isEnabled());
    QVERIFY(!w.stopButton()->isEnabled());
    // The recording is on the upper timeline already.
    QCOMPARE(int(w.recordingView()->timeline()->model()->lanes().size()), 1);
}

void TestAppReplay::bothEndsReplayIsEquivalent()
{
    ReplayWindow w(example("both-ends-half-close.json"),
                   QStringLiteral("both-ends-half-close.json"));
    w.show();
    QCOMPARE(w.sideCombo()->currentIndex(), comboIndex(w.sideCombo(), Replayer::Mode::Both));
    QTest::mouseClick(w.startButton(), Qt::LeftButton);
    QVERIFY(w.replayer());
    QVERIFY(w.targetText().contains(QLatin1StringView("in FinScope on 127.0.0.1:")));
    QTRY_VERIFY_WITH_TIMEOUT(w.hasResult(), 15000);
    QVERIFY2(w.isEquivalent(), qPrintable(w.verdictText()));
    QVERIFY(w.verdictText().startsWith(QLatin1StringView("Equivalent")));
    QCOMPARE(w.differenceList()->count(), 0);
    QCOMPARE(int(w.replayView()->timeline()->model()->lanes().size()), 2);
    QVERIFY(!w.replayView()->timeline()->isLaneMarked(Side::Client, 1));
    QCOMPARE(w.startButton()->text(), QStringLiteral("Replay again"));

    // File > Save the Replay As… hands the replay (not the recording) to the workbench's save.
    QSignalSpy saves(&w, &ReplayWindow::saveRequested);
    for (QAction *a : w.findChildren<QAction *>()) {
        if (a->text().startsWith(QLatin1StringView("Save the Replay")))
            a->trigger();
    }
    QCOMPARE(saves.size(), 1);
    QCOMPARE(saves.at(0).at(1).toString(), QStringLiteral("both-ends-half-close-replay.json"));
}

void TestAppReplay::clientReplayAgainstALivePeer()
{
    LiveServer server({QStringLiteral("read-until-eof"),
                       QStringLiteral("send Message received.\\n"),
                       QStringLiteral("shutdown wr"),
                       QStringLiteral("close")});
    ReplayWindow w(example("half-close-client.json"), QStringLiteral("half-close-client.json"));
    w.show();
    w.targetEdit()->setText(server.address());
    w.speedSpin()->setValue(0);
    QVERIFY(w.start());
    QCOMPARE(w.targetText(),
             QStringLiteral("Replaying client 1 against %1.").arg(server.address()));
    QTRY_VERIFY_WITH_TIMEOUT(w.hasResult(), 15000);
    QVERIFY2(w.isEquivalent(), qPrintable(w.verdictText()));
}

void TestAppReplay::clientReplayAgainstAPeerThatResets()
{
    // The peer now aborts after reading the request instead of answering.
    LiveServer server({QStringLiteral("read-until-eof"), QStringLiteral("abort")});
    ReplayWindow w(example("half-close-client.json"), QStringLiteral("half-close-client.json"));
    w.show();
    w.targetEdit()->setText(server.address());
    w.speedSpin()->setValue(0);
    QVERIFY(w.start());
    QTRY_VERIFY_WITH_TIMEOUT(w.hasResult(), 15000);
    QVERIFY(!w.isEquivalent());
    QVERIFY(w.verdictText().startsWith(QLatin1StringView("Differs")));
    QVERIFY(w.differenceList()->count() >= 1);
    QString all;
    for (int i = 0; i < w.differenceList()->count(); ++i)
        all += w.differenceList()->item(i)->text() + u'\n';
    QVERIFY2(all.contains(QLatin1StringView("rst")), qPrintable(all));
    QVERIFY2(all.contains(QLatin1StringView("client 1")), qPrintable(all));
    // The lane that differs is marked on both timelines.
    QVERIFY(w.recordingView()->timeline()->isLaneMarked(Side::Client, 1));
    QVERIFY(w.replayView()->timeline()->isLaneMarked(Side::Client, 1));
}

void TestAppReplay::steppingWithNext()
{
    ReplayWindow w(example("both-ends-half-close.json"),
                   QStringLiteral("both-ends-half-close.json"));
    w.show();
    w.stepCheck()->setChecked(true);
    QTest::mouseClick(w.startButton(), Qt::LeftButton);
    QTRY_VERIFY(w.pendingText().startsWith(QLatin1StringView("next: ")));
    QVERIFY(w.nextButton()->isEnabled());
    // Nothing runs until Next: no action has been recorded by the replay yet.
    QTest::qWait(300);
    QVERIFY(w.replayer()->session().actions.isEmpty());
    int presses = 0;
    while (!w.hasResult() && presses < 40) {
        QTRY_VERIFY_WITH_TIMEOUT(w.hasResult() || !w.pendingText().isEmpty(), 10000);
        if (w.hasResult())
            break;
        const qsizetype before = w.replayer()->session().actions.size();
        QTest::mouseClick(w.nextButton(), Qt::LeftButton);
        ++presses;
        QTRY_VERIFY(w.hasResult() || w.replayer()->session().actions.size() > before);
    }
    QTRY_VERIFY_WITH_TIMEOUT(w.hasResult(), 10000);
    QCOMPARE(presses, int(w.recording().actions.size()));
    QVERIFY2(w.isEquivalent(), qPrintable(w.verdictText()));
}

void TestAppReplay::badTargetIsRefusedBeforeConnecting()
{
    ReplayWindow w(example("half-close-client.json"), QStringLiteral("half-close-client.json"));
    w.show();
    w.targetEdit()->setText(QStringLiteral("no-port-here"));
    QVERIFY(!w.start());
    QVERIFY(!w.replayer());
    QVERIFY2(w.verdictText().startsWith(QLatin1StringView("Target:")), qPrintable(w.verdictText()));
    QVERIFY(w.startButton()->isEnabled());
}

void TestAppReplay::stopHaltsTheReplay()
{
    // At 0.1x the recorded 400 ms of actions take seconds: Stop lands in the middle.
    ReplayWindow w(example("both-ends-half-close.json"),
                   QStringLiteral("both-ends-half-close.json"));
    w.show();
    w.speedSpin()->setValue(0.1);
    QVERIFY(w.start());
    QTRY_VERIFY(!w.replayer()->session().actions.isEmpty());
    QVERIFY(w.stopButton()->isEnabled());
    QTest::mouseClick(w.stopButton(), Qt::LeftButton);
    QVERIFY(w.hasResult());
    QVERIFY2(w.verdictText().startsWith(QLatin1StringView("Replay stopped.")),
             qPrintable(w.verdictText()));
    QVERIFY(!w.isEquivalent()); // the rest of the half-close never happened
    // Nothing more runs after Stop: no recorded gap releases another action later.
    const qsizetype actions = w.replayer()->session().actions.size();
    QVERIFY(actions < w.recording().actions.size());
    QTest::qWait(1500);
    QCOMPARE(w.replayer()->session().actions.size(), actions);
    QVERIFY(w.startButton()->isEnabled());
}

void TestAppReplay::nextPressesDoNotPileUp()
{
    ReplayWindow w(example("both-ends-half-close.json"),
                   QStringLiteral("both-ends-half-close.json"));
    w.show();
    w.stepCheck()->setChecked(true);
    QVERIFY(w.start());
    // Presses before the first action is announced (the ends are still connecting) are not
    // credits for later: each announced action needs its own.
    for (int i = 0; i < 5; ++i)
        w.next();
    QTRY_VERIFY(w.pendingText().startsWith(QLatin1StringView("next: ")));
    QTest::qWait(300);
    QVERIFY(w.replayer()->session().actions.isEmpty());
    QVERIFY(w.nextButton()->isEnabled());
    QTest::mouseClick(w.nextButton(), Qt::LeftButton);
    QTRY_COMPARE(w.replayer()->session().actions.size(), 1);
    QTest::qWait(300);
    QCOMPARE(w.replayer()->session().actions.size(), 1);
    w.stop();
    QVERIFY(w.hasResult());
}

void TestAppReplay::payloadCheckComparesTheBytes()
{
    // The peer answers as many bytes as when recorded, but other ones.
    LiveServer server({QStringLiteral("read-until-eof"),
                       QStringLiteral("send Message RECEIVED.\\n"),
                       QStringLiteral("shutdown wr"),
                       QStringLiteral("close")});
    ReplayWindow w(example("half-close-client.json"), QStringLiteral("half-close-client.json"));
    w.show();
    QVERIFY(!w.payloadCheck()->isChecked());
    w.targetEdit()->setText(server.address());
    w.speedSpin()->setValue(0);
    QVERIFY(w.start());
    QTRY_VERIFY_WITH_TIMEOUT(w.hasResult(), 15000);
    QVERIFY2(w.isEquivalent(), qPrintable(w.verdictText()));
    // Checking the box compares the same replay again, bytes included.
    w.payloadCheck()->setChecked(true);
    QVERIFY(!w.isEquivalent());
    QVERIFY(w.verdictText().startsWith(QLatin1StringView("Differs")));
    QCOMPARE(w.differenceList()->count(), 1);
    QVERIFY2(w.differenceList()->item(0)->text().startsWith(
                 QLatin1StringView("client 1 received: the bytes differ from offset 8: recording "
                                   "\"received.\\n\"")),
             qPrintable(listed(w.differenceList())));
    QVERIFY(w.replayView()->timeline()->isLaneMarked(Side::Client, 1));
    w.payloadCheck()->setChecked(false);
    QVERIFY(w.isEquivalent());
}

void TestAppReplay::racedCloseOrderIsARaceUnlessStrict()
{
    LiveServer server({QStringLiteral("read-until-eof"),
                       QStringLiteral("send Message received.\\n"),
                       QStringLiteral("shutdown wr"),
                       QStringLiteral("close")});
    ReplayWindow w(withCrossedFins(example("half-close-client.json")),
                   QStringLiteral("crossed.json"));
    w.show();
    QVERIFY(!w.strictCheck()->isChecked());
    w.targetEdit()->setText(server.address());
    w.speedSpin()->setValue(0);
    QVERIFY(w.start());
    QTRY_VERIFY_WITH_TIMEOUT(w.hasResult(), 15000);
    // Here the client's FIN went first (TIME_WAIT); in the recording the FINs crossed.
    QVERIFY2(w.isEquivalent(), qPrintable(w.verdictText() + u'\n' + listed(w.differenceList())));
    QVERIFY2(w.verdictText().contains(QLatin1StringView("raced")), qPrintable(w.verdictText()));
    QCOMPARE(w.differenceList()->count(), 1);
    QVERIFY2(w.differenceList()->item(0)->text().startsWith(
                 QLatin1StringView("Race, not a difference: client 1 states: recording saw "
                                   "CLOSE_WAIT; replay saw TIME_WAIT (who closed first raced: "
                                   "the two FINs were 0.10 ms apart in the recording)")),
             qPrintable(listed(w.differenceList())));
    QVERIFY(!w.replayView()->timeline()->isLaneMarked(Side::Client, 1));
    w.strictCheck()->setChecked(true);
    QVERIFY(!w.isEquivalent());
    QVERIFY(w.verdictText().startsWith(QLatin1StringView("Differs")));
    QCOMPARE(w.differenceList()->count(), 1);
    QVERIFY(w.replayView()->timeline()->isLaneMarked(Side::Client, 1));
}

// A recorded send-file sends the recorded bytes; the Files box reads the file instead, and only
// after a confirmation that names it.
void TestAppReplay::filesAreReadOnlyAfterTheUserAgrees()
{
    QTemporaryDir dir;
    // Markup in a name the file gives stays text.
    const QString path = dir.filePath(QStringLiteral("<b>named.txt"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("the file here now\n");
    file.close();
    ReplayWindow w(sentFile(path, "what was sent then\n", QStringLiteral("127.0.0.1:9")),
                   QStringLiteral("sent.json"));
    w.show();
    QVERIFY2(w.targetText().contains(path), qPrintable(w.targetText()));
    QCOMPARE(w.findChild<QLabel *>(QStringLiteral("replayTarget"))->textFormat(), Qt::PlainText);
    QVERIFY(w.filesCheck()->isEnabled());
    QVERIFY(!w.filesCheck()->isChecked());

    {
        Answer cancel(QMessageBox::Cancel);
        w.filesCheck()->click();
        QVERIFY(cancel.asked());
        QVERIFY2(cancel.text.contains(path), qPrintable(cancel.text));
        QVERIFY(cancel.plain);
    }
    QVERIFY(!w.filesCheck()->isChecked());

    // Unticked: the peer gets what the recording sent.
    QCOMPARE(w.sideCombo()->currentIndex(), comboIndex(w.sideCombo(), Replayer::Mode::Both));
    w.speedSpin()->setValue(0);
    QVERIFY(w.start());
    QTRY_VERIFY_WITH_TIMEOUT(w.hasResult(), 15000);
    QCOMPARE(serverReceived(w.replayer()->session()), QByteArray("what was sent then\n"));

    {
        Answer yes(QMessageBox::Yes);
        w.filesCheck()->click();
        QVERIFY(yes.asked());
        QVERIFY2(yes.text.contains(path), qPrintable(yes.text));
    }
    QVERIFY(w.filesCheck()->isChecked());
    QVERIFY(w.start());
    QTRY_VERIFY_WITH_TIMEOUT(w.hasResult(), 15000);
    QCOMPARE(serverReceived(w.replayer()->session()), QByteArray("the file here now\n"));
}

// The recorded client went to a name that is not this machine: Start shows it (and the files)
// and connects nowhere, looks nothing up, unless the user agrees.
void TestAppReplay::remoteTargetAsksBeforeConnecting()
{
    const QString path = QStringLiteral("/etc/hostname");
    ReplayWindow w(sentFile(path, "x", QStringLiteral("nosuchhost.invalid:80")),
                   QStringLiteral("sent.json"));
    w.show();
    QVERIFY2(w.targetText().contains(QLatin1StringView("nosuchhost.invalid:80 (not this machine)")),
             qPrintable(w.targetText()));
    w.sideCombo()->setCurrentIndex(comboIndex(w.sideCombo(), Replayer::Mode::Client));
    {
        Answer cancel(QMessageBox::Cancel);
        QVERIFY(!w.start());
        QVERIFY(cancel.asked());
        QVERIFY2(cancel.text.contains(QLatin1StringView("client 1 to nosuchhost.invalid:80")),
                 qPrintable(cancel.text));
        QVERIFY2(cancel.text.contains(path), qPrintable(cancel.text));
    }
    QVERIFY(!w.replayer());
    QVERIFY2(w.verdictText().startsWith(QLatin1StringView("Not replayed")),
             qPrintable(w.verdictText()));

    // A target the user types is their word: no question.
    LiveServer server({QStringLiteral("read-until-eof"), QStringLiteral("close")});
    w.targetEdit()->setText(server.address());
    QVERIFY(w.start());
    QTRY_VERIFY_WITH_TIMEOUT(w.hasResult(), 15000);
    QCOMPARE(w.replayer()->target(), server.address());

    // Agreed: it goes there (stopped at once; the name need not resolve).
    w.targetEdit()->clear();
    {
        Answer yes(QMessageBox::Yes);
        QVERIFY(w.start());
        QVERIFY(yes.asked());
    }
    QCOMPARE(w.replayer()->target(), QStringLiteral("nosuchhost.invalid:80"));
    w.stop();
    QTRY_VERIFY_WITH_TIMEOUT(w.hasResult(), 15000);
}

QTEST_MAIN(TestAppReplay)
#include "tst_appreplay.moc"
