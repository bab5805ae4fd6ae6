// The Scenarios window driven through its real widgets (QT_QPA_PLATFORM=offscreen): each run
// opens its own loopback pair at a port the OS picks, as in front of a team.

#include "connectionpanel.h"
#include "engine/scenarios/scenariocatalog.h"
#include "engine/scenarios/scenariorunner.h"
#include "engine/session/session.h"
#include "engine/socket/endpoint.h"
#include "mainwindow.h"
#include "recentfiles.h"
#include "scenariowindow.h"
#include "sessioncontroller.h"
#include "sessionview.h"
#include "timelinewidget.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace finscope;

namespace {

QString badge(ConnectionPanel *panel, const char *name)
{
    auto *label = panel ? panel->findChild<QLabel *>(QLatin1StringView(name)) : nullptr;
    return label ? label->text() : QString();
}

bool isDone(ScenarioRunner *runner, int step)
{
    return runner && runner->stepStatus(step) == ScenarioRunner::StepStatus::Done;
}

// The step the list shows as the current one (bold and highlighted), or -1.
int highlightedStep(QListWidget *steps)
{
    int found = -1;
    for (int i = 0; i < steps->count(); ++i) {
        if (steps->item(i)->font().bold()) {
            if (found >= 0)
                return -2; // more than one
            found = i;
        }
    }
    return found;
}

} // namespace

class TestAppScenarios : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void listsTheCatalog();
    void stepsThroughHalfClose();
    void runsEchoDeadlockWithoutReadingForTheClient();
    void qtSocketEndHasNoControls();
    void presenterMode();
    void aRunIsNotThrownAwayByAPick();
    void stopDuringSetupLeavesNothingOpen();
    void openedFromTheWorkbench();
};

void TestAppScenarios::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("FinScopeTest"));
    QStandardPaths::setTestModeEnabled(true);
}

void TestAppScenarios::listsTheCatalog()
{
    ScenarioWindow w;
    const QList<Scenario> all = ScenarioCatalog::all();
    QCOMPARE(w.scenarioList()->count(), all.size());
    for (int i = 0; i < all.size(); ++i)
        QCOMPARE(w.scenarioList()->item(i)->data(Qt::UserRole).toString(), all.at(i).id);
    QVERIFY(w.selectScenario(QStringLiteral("abortive-close")));
    QCOMPARE(w.currentId(), QStringLiteral("abortive-close"));
    QVERIFY(!w.selectScenario(QStringLiteral("no-such-scenario")));
    QCOMPARE(w.currentId(), QStringLiteral("abortive-close"));
    // Nothing connects until the presenter starts: no endpoint, no panel.
    QCOMPARE(w.runner()->state(), ScenarioRunner::State::Idle);
    QVERIFY(w.runner()->workbench()->clients().isEmpty());
    QVERIFY(!w.clientPanel());
}

void TestAppScenarios::stepsThroughHalfClose()
{
    ScenarioWindow w;
    QVERIFY(w.selectScenario(QStringLiteral("half-close-request-response")));
    w.show();
    const int count = w.runner()->stepCount();
    QCOMPARE(w.stepList()->count(), count);
    QCOMPARE(highlightedStep(w.stepList()), 0);
    QVERIFY(w.stepCaption().contains(QLatin1StringView("Step 1 of")));

    // Step 1: the request. The connection comes up first, both ends get their controls. The
    // presenter took a while to begin: the run's clock starts when it does, not at the pick.
    QTest::qWait(1200);
    QTest::mouseClick(w.stepButton(), Qt::LeftButton);
    ScenarioRunner *r = w.runner();
    QTRY_VERIFY(isDone(r, 0));
    QVERIFY(r->events().size() > 0);
    QVERIFY2(r->events().at(0).tNs < 1'000'000'000, "the run's clock started before Step");
    QTRY_VERIFY(w.clientPanel() && w.serverPanel());
    QCOMPARE(r->state(), ScenarioRunner::State::Stepping);
    QTRY_COMPARE(highlightedStep(w.stepList()), 1);
    QVERIFY(w.stepCaption().contains(QLatin1StringView("Step 2 of")));
    QVERIFY(w.stepList()->item(0)->text().contains(QLatin1StringView("[done]")));
    QVERIFY(w.statusText().contains(QLatin1StringView("1 of")));
    // Stepping waits for the presenter: nothing more happens on its own.
    QTest::qWait(300);
    QCOMPARE(r->stepStatus(1), ScenarioRunner::StepStatus::Pending);

    // Step 2: SHUT_WR. The client's badges say FIN_WAIT2 and write side closed; the server's
    // kernel is in CLOSE_WAIT before the server has read anything.
    QTest::mouseClick(w.stepButton(), Qt::LeftButton);
    QTRY_VERIFY(isDone(r, 1));
    QTRY_COMPARE(badge(w.clientPanel(), "stateBadge"), QStringLiteral("FIN_WAIT2"));
    QVERIFY(badge(w.clientPanel(), "viewBadge").contains(QLatin1StringView("write side closed")));
    QTRY_COMPARE(badge(w.serverPanel(), "stateBadge"), QStringLiteral("CLOSE_WAIT"));
    QVERIFY(!badge(w.serverPanel(), "viewBadge").contains(QLatin1StringView("peer FIN read")));

    // Step 3: the server reads to EOF.
    QTest::mouseClick(w.stepButton(), Qt::LeftButton);
    QTRY_VERIFY(isDone(r, 2));
    QTRY_VERIFY(badge(w.serverPanel(), "viewBadge").contains(QLatin1StringView("peer FIN read")));

    // The timeline has a lane per end, filled in as the steps ran.
    TimelineWidget *timeline = w.view()->timeline();
    QTRY_COMPARE(int(timeline->model()->lanes().size()), 2);

    for (int i = 3; i < count; ++i) {
        QTRY_VERIFY(w.stepButton()->isEnabled());
        QTest::mouseClick(w.stepButton(), Qt::LeftButton);
        QTRY_VERIFY(isDone(r, i) || r->isFinished());
    }
    QTRY_VERIFY_WITH_TIMEOUT(r->isFinished(), 10000);
    QVERIFY2(r->allHeld(), qPrintable(w.statusText()));
    QCOMPARE(w.verdictList()->count(), r->verdicts().size());
    QVERIFY(w.verdictList()->count() >= 3);
    for (int i = 0; i < w.verdictList()->count(); ++i)
        QVERIFY2(w.verdictList()->item(i)->text().startsWith(QStringLiteral("✓")),
                 qPrintable(w.verdictList()->item(i)->text()));
    QCOMPARE(highlightedStep(w.stepList()), -1);
    QTRY_COMPARE(badge(w.clientPanel(), "stateBadge"), QStringLiteral("TIME_WAIT"));
    QCOMPARE(w.runButton()->text(), QStringLiteral("Run again"));
    QVERIFY(!w.stopButton()->isEnabled());

    // Run again: a new loopback pair and a new timeline, the old run gone.
    QTest::mouseClick(w.runButton(), Qt::LeftButton);
    QVERIFY(w.runner() != r || !r->isFinished());
    QTRY_VERIFY_WITH_TIMEOUT(w.runner()->isFinished(), 15000);
    QVERIFY2(w.runner()->allHeld(), qPrintable(w.statusText()));
}

void TestAppScenarios::runsEchoDeadlockWithoutReadingForTheClient()
{
    ScenarioWindow w;
    QVERIFY(w.selectScenario(QStringLiteral("echo-deadlock")));
    w.show();
    QTest::mouseClick(w.runButton(), Qt::LeftButton);
    QTRY_VERIFY(w.clientPanel());
    ScenarioRunner *r = w.runner();
    QVERIFY(!w.runButton()->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(r->isFinished(), 20000);
    QVERIFY2(r->allHeld(), qPrintable(w.statusText()));
    QVERIFY(r->timedOut());
    // The client's program never reads before it has sent everything: the panel watching it
    // must not have read for it, or there would be no deadlock to show.
    QCOMPARE(w.clientPanel()->endpoint()->bytesReceived(), 0);
    QVERIFY(w.stepList()->item(1)->text().contains(QLatin1StringView("still blocked")));
    QVERIFY(w.statusText().contains(QLatin1StringView("time bound")));
}

void TestAppScenarios::qtSocketEndHasNoControls()
{
    ScenarioWindow w;
    QVERIFY(w.selectScenario(QStringLiteral("qtcpsocket-closes-on-fin")));
    w.show();
    QTest::mouseClick(w.runButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(w.runner()->isFinished(), 20000);
    QVERIFY2(w.runner()->allHeld(), qPrintable(w.statusText()));
    QVERIFY(w.clientPanel());
    QVERIFY(!w.serverPanel());
    bool explained = false;
    for (QLabel *label : w.findChildren<QLabel *>())
        explained = explained || label->text().contains(QLatin1StringView("held by a QTcpSocket"));
    QVERIFY(explained);
    QCOMPARE(int(w.view()->timeline()->model()->lanes().size()), 2);
}

void TestAppScenarios::presenterMode()
{
    ScenarioWindow w;
    w.show();
    const qreal base = w.view()->timeline()->font().pointSizeF();
    QVERIFY(w.view()->eventTable()->isVisible());
    w.setPresenting(true);
    QVERIFY(w.isPresenting());
    QVERIFY(w.view()->timeline()->font().pointSizeF() > base * 1.4);
    QVERIFY(!w.view()->eventTable()->isVisible());
    QVERIFY(!w.scenarioList()->isVisible());
    QVERIFY(w.findChild<QWidget *>(QStringLiteral("stepList"))->isVisible());
    w.setPresenting(false);
    QCOMPARE(w.view()->timeline()->font().pointSizeF(), base);
    QVERIFY(w.view()->eventTable()->isVisible());
    QVERIFY(w.scenarioList()->isVisible());
}

void TestAppScenarios::openedFromTheWorkbench()
{
    MainWindow main(nullptr, QDir::temp().filePath(QStringLiteral("finscope-test-autosave")));
    ScenarioWindow *w = main.openScenarios(QStringLiteral("shut-rd-local-only"));
    QVERIFY(w);
    QCOMPARE(w->currentId(), QStringLiteral("shut-rd-local-only"));
    QCOMPARE(main.openScenarios(QStringLiteral("abortive-close")), w);
    QCOMPARE(w->currentId(), QStringLiteral("abortive-close"));
    // The scenario's ends are its own: the workbench records nothing of them.
    const qsizetype before = main.workbench()->events().size();
    w->run();
    QTRY_VERIFY_WITH_TIMEOUT(w->runner()->isFinished(), 15000);
    QVERIFY2(w->runner()->allHeld(), qPrintable(w->statusText()));
    QCOMPARE(main.workbench()->events().size(), before);

    // File > Save This Run As… keeps the run as a session file, through the workbench's dialogs.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("run.json"));
    QString suggested;
    main.sessions()->setFilePrompt(
        [&](SessionController::FileRole role, const QString &suggestion) {
            suggested = suggestion;
            return role == SessionController::FileRole::SaveSession ? path : QString();
        });
    QAction *save = nullptr;
    for (QAction *a : w->findChildren<QAction *>()) {
        if (a->text().startsWith(QLatin1StringView("Save This Run")))
            save = a;
    }
    QVERIFY(save);
    save->trigger();
    QVERIFY2(suggested.endsWith(QLatin1StringView("abortive-close.json")), qPrintable(suggested));
    QString error;
    const auto saved = Session::load(path, &error);
    QVERIFY2(saved, qPrintable(error));
    QCOMPARE(saved->events.size(), w->runner()->events().size());
    QCOMPARE(saved->tool, QStringLiteral("finscope scenario abortive-close"));
    QVERIFY(main.sessions()->recentFiles().files().contains(QFileInfo(path).absoluteFilePath())
            || main.sessions()->recentFiles().files().contains(path));
}

void TestAppScenarios::aRunIsNotThrownAwayByAPick()
{
    ScenarioWindow w;
    QVERIFY(w.selectScenario(QStringLiteral("echo-deadlock")));
    w.show();
    w.run();
    QTRY_VERIFY(w.clientPanel());
    ScenarioRunner *r = w.runner();
    QVERIFY(w.isRunActive());
    QVERIFY(!w.selectScenario(QStringLiteral("abortive-close")));
    QCOMPARE(w.runner(), r);
    QCOMPARE(w.currentId(), QStringLiteral("echo-deadlock"));
    QCOMPARE(w.scenarioList()->currentItem()->data(Qt::UserRole).toString(),
             QStringLiteral("echo-deadlock"));
    QTRY_VERIFY_WITH_TIMEOUT(r->isFinished(), 20000);
    QVERIFY(w.selectScenario(QStringLiteral("abortive-close")));
    QCOMPARE(w.currentId(), QStringLiteral("abortive-close"));
}

void TestAppScenarios::stopDuringSetupLeavesNothingOpen()
{
    ScenarioWindow w;
    QVERIFY(w.selectScenario(QStringLiteral("half-close-request-response")));
    w.show();
    w.step(); // listens and starts connecting; the connection is not up yet
    ScenarioRunner *r = w.runner();
    QCOMPARE(r->state(), ScenarioRunner::State::Preparing);
    w.stop();
    QCOMPARE(r->state(), ScenarioRunner::State::Failed);
    QVERIFY(w.statusText().contains(QLatin1StringView("Could not run")));
    QTest::qWait(300);
    QVERIFY(!r->workbench()->isListening());
    for (const Endpoint *e : r->workbench()->clients())
        QVERIFY(!e->isOpen());
    for (const Endpoint *e : r->workbench()->serverConnections())
        QVERIFY(!e->isOpen());
    QVERIFY(!w.serverPanel() || !w.serverPanel()->endpoint()->isOpen());
}

QTEST_MAIN(TestAppScenarios)
#include "tst_appscenarios.moc"
