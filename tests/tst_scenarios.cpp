// Runs every catalog scenario on real loopback sockets and proves its facts hold on this kernel;
// and proves the facts are checks that can fail.

#include "engine/scenarios/scenariocatalog.h"
#include "engine/scenarios/scenariofacts.h"
#include "engine/scenarios/scenariorunner.h"
#include "engine/session/eventformat.h"
#include "engine/session/session.h"

#include <QSignalSpy>
#include <QTest>

#include <cerrno>

using namespace finscope;

namespace {

// The verdicts, the end and the timeline, for a failure message.
QByteArray report(const ScenarioRunner &runner)
{
    QString out = QStringLiteral("%1: %2\n").arg(runner.scenario().id, runner.endReason());
    for (const FactVerdict &v : runner.verdicts())
        out += QStringLiteral("%1 %2: %3\n")
                   .arg(v.held ? QStringLiteral("ok  ") : QStringLiteral("FAIL"),
                        v.sentence,
                        v.observed);
    const EventStore &store = runner.events();
    for (const Event &e : store.events()) {
        if (e.kind != EventKind::Queue)
            out += formatEvent(e, store) + u'\n';
    }
    return out.toUtf8();
}

bool runToEnd(ScenarioRunner *runner)
{
    QSignalSpy finished(runner, &ScenarioRunner::finished);
    runner->run();
    return finished.wait(runner->timeoutMs() + 15000);
}

Event makeEvent(qint64 tNs, Side side, EventKind kind)
{
    Event e;
    e.tNs = tNs;
    e.side = side;
    e.kind = kind;
    e.conn = 1;
    return e;
}

} // namespace

class TestScenarios : public QObject
{
    Q_OBJECT

private slots:
    void catalogIsWellFormed();
    void factsHoldOnThisKernel_data();
    void factsHoldOnThisKernel();
    void wrongExpectationFails();
    void factsFailOnHandBuiltRecordings_data();
    void factsFailOnHandBuiltRecordings();
    void hangEndsByItsBoundAndSaysWhy();
    void steppingReleasesOneStepAtATime();
};

void TestScenarios::catalogIsWellFormed()
{
    const QList<Scenario> all = ScenarioCatalog::all();
    QVERIFY(all.size() >= 12);
    QStringList ids;
    for (const Scenario &s : all) {
        QVERIFY2(!ids.contains(s.id), qPrintable(s.id));
        ids << s.id;
        QVERIFY2(!s.title.isEmpty() && s.explanation.size() > 100, qPrintable(s.id));
        QVERIFY2(!s.facts.isEmpty(), qPrintable(s.id));
        QVERIFY2(!s.actions(Side::Client).isEmpty(), qPrintable(s.id));
        for (const ScenarioStep &step : s.steps) {
            // Each step is an action word the CLI and session files take back unchanged.
            const auto again = Action::parse(step.action.toString(), nullptr);
            QVERIFY2(again && *again == step.action, qPrintable(step.action.toString()));
            QVERIFY2(!step.caption.isEmpty(), qPrintable(s.id));
        }
    }
    for (const char *id : {"half-close-request-response",
                           "missing-shut-wr-hang",
                           "echo-deadlock",
                           "echo-deadlock-fixed",
                           "close-with-unread-data-rst",
                           "shut-rd-local-only",
                           "shut-rdwr-vs-close",
                           "shared-handle-close",
                           "abortive-close",
                           "send-after-shut-wr",
                           "time-wait-side",
                           "qtcpsocket-closes-on-fin"}) {
        QVERIFY2(ScenarioCatalog::find(QLatin1StringView(id)), id);
    }
    QVERIFY(!ScenarioCatalog::find(QStringLiteral("no-such-scenario")));
}

void TestScenarios::factsHoldOnThisKernel_data()
{
    QTest::addColumn<QString>("id");
    for (const QString &id : ScenarioCatalog::ids())
        QTest::newRow(qPrintable(id)) << id;
}

void TestScenarios::factsHoldOnThisKernel()
{
    QFETCH(QString, id);
    const auto scenario = ScenarioCatalog::find(id);
    QVERIFY(scenario);
    ScenarioRunner runner(*scenario);
    QVERIFY2(runToEnd(&runner), report(runner).constData());
    QCOMPARE(runner.state(), ScenarioRunner::State::Finished);
    QCOMPARE(runner.timedOut(), scenario->endsByTimeout);
    QCOMPARE(runner.verdicts().size(), scenario->facts.size() + 1);
    QVERIFY2(runner.allHeld(), report(runner).constData());
}

void TestScenarios::wrongExpectationFails()
{
    // The half-close ends cleanly; a scenario that expected a reset must be told it did not come.
    auto scenario = ScenarioCatalog::find(QStringLiteral("half-close-request-response"));
    QVERIFY(scenario);
    scenario->facts.append(
        facts::resetWith(QStringLiteral("the client reads a RST"), Side::Client, ECONNRESET));
    scenario->facts.append(facts::reachesState(
        QStringLiteral("the server ends in TIME_WAIT"), Side::Server, TcpState::TimeWait));
    ScenarioRunner runner(*scenario);
    QSignalSpy finished(&runner, &ScenarioRunner::finished);
    runner.run();
    QVERIFY(finished.wait(20000));
    QCOMPARE(finished.first().first().toBool(), false);
    QVERIFY(!runner.allHeld());
    const QList<FactVerdict> &verdicts = runner.verdicts();
    for (qsizetype i = 0; i < verdicts.size() - 2; ++i)
        QVERIFY2(verdicts.at(i).held, report(runner).constData());
    QVERIFY(!verdicts.at(verdicts.size() - 2).held);
    QCOMPARE(verdicts.at(verdicts.size() - 2).observed, QStringLiteral("no client rst"));
    QVERIFY(!verdicts.last().held);
    QVERIFY2(verdicts.last().observed.contains(QLatin1StringView("CLOSE_WAIT")),
             qPrintable(verdicts.last().observed));
}

void TestScenarios::factsFailOnHandBuiltRecordings_data()
{
    QTest::addColumn<int>("which");
    QTest::addColumn<bool>("held");
    // A recording: server eof at 10, client rst (ECONNRESET) at 20, client error EPIPE at 30,
    // client state FIN_WAIT2 at 5; step 0 started at 1, step 1 at 15.
    QTest::newRow("server eof before client rst: holds") << 0 << true;
    QTest::newRow("client rst before server eof: does not") << 1 << false;
    QTest::newRow("client reaches FIN_WAIT2: holds") << 2 << true;
    QTest::newRow("server reaches FIN_WAIT2: does not") << 3 << false;
    QTest::newRow("client EPIPE after step 1: holds") << 4 << true;
    QTest::newRow("client ECONNRESET error after step 1: does not") << 5 << false;
    QTest::newRow("no server eof between steps 1 and end: holds") << 6 << true;
    QTest::newRow("no server eof between steps 0 and 1: does not") << 7 << false;
    QTest::newRow("no eof on the server: does not") << 8 << false;
    QTest::newRow("client rst is ECONNRESET: holds") << 9 << true;
    QTest::newRow("finished on its own after a timeout: does not") << 10 << false;
}

void TestScenarios::factsFailOnHandBuiltRecordings()
{
    QFETCH(int, which);
    QFETCH(bool, held);
    Session session;
    Event fin2 = makeEvent(5, Side::Client, EventKind::State);
    fin2.state = TcpState::FinWait2;
    session.events.append(fin2);
    session.events.append(makeEvent(10, Side::Server, EventKind::Eof));
    Event rst = makeEvent(20, Side::Client, EventKind::Rst);
    rst.err = ECONNRESET;
    session.events.append(rst);
    Event epipe = makeEvent(30, Side::Client, EventKind::Error);
    epipe.err = EPIPE;
    session.events.append(epipe);
    ScenarioOutcome outcome;
    outcome.session = &session;
    outcome.stepStartNs = {1, 15};
    outcome.stepEndNs = {2, -1};
    outcome.timedOut = true;

    const QString s = QStringLiteral("fact");
    const Side c = Side::Client;
    const Side sv = Side::Server;
    const QList<ScenarioFact> list{
        facts::before(s, sv, EventKind::Eof, c, EventKind::Rst),
        facts::before(s, c, EventKind::Rst, sv, EventKind::Eof),
        facts::reachesState(s, c, TcpState::FinWait2),
        facts::reachesState(s, sv, TcpState::FinWait2),
        facts::kernelErrno(s, c, EPIPE, 1),
        facts::kernelErrno(s, c, ECONNRESET, 1),
        facts::noneBetweenSteps(s, sv, EventKind::Eof, 1, -1),
        facts::noneBetweenSteps(s, sv, EventKind::Eof, 0, 1),
        facts::never(s, sv, EventKind::Eof),
        facts::resetWith(s, c, ECONNRESET),
        facts::finishesOnItsOwn(s),
    };
    const FactResult result = list.at(which).evaluate(outcome);
    QVERIFY2(result.held == held, qPrintable(result.observed));
    QVERIFY(!result.observed.isEmpty());
}

void TestScenarios::hangEndsByItsBoundAndSaysWhy()
{
    auto scenario = ScenarioCatalog::find(QStringLiteral("missing-shut-wr-hang"));
    QVERIFY(scenario);
    ScenarioRunner runner(*scenario);
    QVERIFY(runToEnd(&runner));
    QVERIFY(runner.timedOut());
    const QString why = runner.endReason();
    QVERIFY2(why.contains(QLatin1StringView("time bound")), qPrintable(why));
    QVERIFY2(why.contains(QLatin1StringView("still waiting")), qPrintable(why));
    QVERIFY2(why.contains(QLatin1StringView("client read-until-eof")), qPrintable(why));
    QVERIFY2(why.contains(QLatin1StringView("server read-until-eof")), qPrintable(why));
    QCOMPARE(runner.stepStatus(1), ScenarioRunner::StepStatus::Running);
    QCOMPARE(runner.stepStatus(3), ScenarioRunner::StepStatus::Released);
}

void TestScenarios::steppingReleasesOneStepAtATime()
{
    const auto scenario = ScenarioCatalog::find(QStringLiteral("half-close-request-response"));
    QVERIFY(scenario);
    ScenarioRunner runner(*scenario);
    QSignalSpy started(&runner, &ScenarioRunner::stepStarted);
    QSignalSpy stepFinished(&runner, &ScenarioRunner::stepFinished);
    QSignalSpy finished(&runner, &ScenarioRunner::finished);
    runner.step();
    QTRY_COMPARE_WITH_TIMEOUT(stepFinished.size(), 1, 10000);
    QCOMPARE(started.first().first().toInt(), 0);
    QCOMPARE(runner.nextStep(), 1);
    // Held: nothing else runs until the presenter asks.
    QTest::qWait(300);
    QCOMPARE(started.size(), 1);
    QCOMPARE(runner.stepStatus(1), ScenarioRunner::StepStatus::Pending);
    QVERIFY(runner.events().size() > 0);
    for (int i = 1; i < runner.stepCount(); ++i) {
        runner.step();
        QTRY_COMPARE_WITH_TIMEOUT(stepFinished.size(), i + 1, 10000);
        QCOMPARE(started.at(i).first().toInt(), i);
        QCOMPARE(stepFinished.at(i).first().toInt(), i);
        QTest::qWait(50); // a presenter's pace: lets the client's FIN_WAIT2 be sampled
    }
    QVERIFY(finished.wait(10000));
    QVERIFY2(runner.allHeld(), report(runner).constData());
    QVERIFY(!runner.timedOut());
}

QTEST_GUILESS_MAIN(TestScenarios)
#include "tst_scenarios.moc"
