#pragma once

// The workbench window: client and server panes side by side, the shared timeline below, the event
// table and the hint area at the bottom. Opens ready to demo: the server listens on 127.0.0.1 at a
// free port and the client targets it.

#include <QMainWindow>
#include <QPointer>

class QSplitter;
class QTableView;

namespace finscope {

class ClientPane;
class EventTableModel;
class ServerPane;
class ScenarioWindow;
class SessionController;
class SessionView;
class TimelineWidget;
class Workbench;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    // autosaveDirectory: where the live session is autosaved; empty for the app's data folder.
    explicit MainWindow(QWidget *parent = nullptr, const QString &autosaveDirectory = {});
    ~MainWindow() override;

    Workbench *workbench() const { return m_workbench; }
    ClientPane *clientPane() const { return m_client; }
    ServerPane *serverPane() const { return m_server; }
    SessionController *sessions() const { return m_sessions; }
    SessionView *view() const { return m_view; }
    TimelineWidget *timeline() const;
    EventTableModel *eventModel() const;
    QTableView *eventTable() const;
    QString hintText() const;

    // Listen on 127.0.0.1 at a free port and point the client at it.
    bool startDemo();
    // The Scenarios window (one, raised when already open), showing the scenario id if given.
    ScenarioWindow *openScenarios(const QString &id = {});

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createMenus();
    void showHint(const QString &text);
    void restoreSettings();
    void saveSettings() const;

    Workbench *m_workbench;
    ClientPane *m_client;
    ServerPane *m_server;
    SessionView *m_view;
    SessionController *m_sessions;
    QSplitter *m_vertical;
    QSplitter *m_panes;
    QPointer<ScenarioWindow> m_scenarios;
};

} // namespace finscope
