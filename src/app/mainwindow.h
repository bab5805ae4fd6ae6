#pragma once

// The workbench window: client and server panes side by side, the shared timeline below, the event
// table and the hint area at the bottom. Opens ready to demo: the server listens on 127.0.0.1 at a
// free port and the client targets it.

#include <QMainWindow>
#include <QTimer>

class QLabel;
class QSplitter;
class QTableView;

namespace finscope {

class ClientPane;
class Endpoint;
class EventTableModel;
class ServerPane;
class TimelineWidget;
class Workbench;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    Workbench *workbench() const { return m_workbench; }
    ClientPane *clientPane() const { return m_client; }
    ServerPane *serverPane() const { return m_server; }
    TimelineWidget *timeline() const { return m_timeline; }
    EventTableModel *eventModel() const { return m_model; }
    QTableView *eventTable() const { return m_table; }
    QString hintText() const;

    // Listen on 127.0.0.1 at a free port and point the client at it.
    bool startDemo();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createMenus();
    void scheduleRefresh();
    void refreshViews();
    void showHint(const QString &text);
    void linkPeers(Endpoint *endpoint);
    void restoreSettings();
    void saveSettings() const;

    Workbench *m_workbench;
    ClientPane *m_client;
    ServerPane *m_server;
    TimelineWidget *m_timeline;
    EventTableModel *m_model;
    QTableView *m_table;
    QLabel *m_hint;
    QSplitter *m_vertical;
    QSplitter *m_panes;
    QSplitter *m_bottom;
    QTimer m_refresh;
};

} // namespace finscope
