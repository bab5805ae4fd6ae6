#pragma once

// The Scenarios window: pick a scenario from the engine's catalog, read what to watch, then Run it
// or Step through it one action at a time. Both ends run live in this window (their own loopback
// pair, not the workbench's), each with the same connection controls and badges as the workbench,
// and the timeline fills in below. A presenter mode enlarges the fonts, turns the timeline to high
// contrast and shows the current step in large type beside the explanation. After the run, each of
// the scenario's facts is judged against what this kernel did.

#include "connectionpanel.h"

#include <QMainWindow>
#include <QPointer>

#include <memory>

class QAction;
class QLabel;
class QListWidget;
class QPushButton;
class QSplitter;
class QStackedWidget;
class QTextBrowser;

namespace finscope {

class Endpoint;
class ScenarioRunner;
class SessionView;
struct Session;

class ScenarioWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit ScenarioWindow(QWidget *parent = nullptr);
    ~ScenarioWindow() override;

    // Selects a scenario by id and prepares a fresh run of it; false for an unknown id.
    bool selectScenario(const QString &id);
    QString currentId() const;

    ScenarioRunner *runner() const { return m_runner.get(); }
    SessionView *view() const { return m_view; }
    QListWidget *scenarioList() const { return m_list; }
    QListWidget *stepList() const { return m_steps; }
    QListWidget *verdictList() const { return m_verdicts; }
    QString stepCaption() const;
    QString statusText() const;
    // The controls of each end, once the run has made it; nullptr before (and for an end held
    // by a QTcpSocket, which FinScope does not drive).
    ConnectionPanel *clientPanel() const { return m_clientPanel; }
    ConnectionPanel *serverPanel() const { return m_serverPanel; }
    QPushButton *runButton() const { return m_run; }
    QPushButton *stepButton() const { return m_step; }
    QPushButton *stopButton() const { return m_stop; }
    bool isPresenting() const { return m_presenting; }
    // A run has started and not finished: picking another scenario waits until it ends.
    bool isRunActive() const;

public slots:
    // Runs every remaining step; after a finished run, starts a new one.
    void run();
    // Releases the next step; after a finished run, starts a new one at its first step.
    void step();
    void stop();
    // Throws the current run away and prepares a new one of the same scenario.
    void newRun();
    void setPresenting(bool on);

signals:
    void saveRequested(const finscope::Session &session, const QString &suggestedName);
    void exportRequested(finscope::SessionView *view, bool svg);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createMenus();
    void showScenario(int row);
    void addEndpoint(Endpoint *endpoint);
    void handleReady();
    void handleFinished();
    void updateSteps();
    void updateButtons();
    void applyFonts();

    std::unique_ptr<ScenarioRunner> m_runner;
    int m_row = -1;
    bool m_runRequested = false;

    QSplitter *m_main;
    QWidget *m_guide;
    QListWidget *m_list;
    QTextBrowser *m_explanation;
    QListWidget *m_steps;
    QPushButton *m_run;
    QPushButton *m_step;
    QPushButton *m_stop;
    QPushButton *m_new;
    QLabel *m_status;
    QListWidget *m_verdicts;
    QLabel *m_caption;
    QSplitter *m_stage;
    QStackedWidget *m_clientStack;
    QStackedWidget *m_serverStack;
    QLabel *m_clientWaiting;
    QLabel *m_serverWaiting;
    QPointer<ConnectionPanel> m_clientPanel;
    QPointer<ConnectionPanel> m_serverPanel;
    SessionView *m_view;
    QAction *m_presenterAction = nullptr;
    bool m_presenting = false;
    QFont m_baseFont;
};

} // namespace finscope
