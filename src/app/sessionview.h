#pragma once

// The part of a window that shows one session: the timeline with its zoom tools, the event table
// and the hint area. The live workbench and a read-only opened session show the same view.

#include <QTimer>
#include <QWidget>

class QAction;
class QCheckBox;
class QLabel;
class QMenu;
class QSplitter;
class QTableView;

namespace finscope {

class EventStore;
class EventTableModel;
struct Session;
class TimelineWidget;

class SessionView : public QWidget
{
    Q_OBJECT
public:
    explicit SessionView(QWidget *parent = nullptr);

    // The session is not owned and must outlive the view (or be replaced first).
    void setSession(const Session *session);
    const EventStore *store() const { return m_store; }
    // A saved session does not grow: no "Follow live".
    void setLive(bool live);

    TimelineWidget *timeline() const { return m_timeline; }
    EventTableModel *eventModel() const { return m_model; }
    QTableView *eventTable() const { return m_table; }
    QSplitter *splitter() const { return m_splitter; }
    QString hintText() const;
    // Zoom in, Zoom out and Fit all with their shortcuts, for a window's View menu.
    void addZoomActions(QMenu *menu) const;

public slots:
    void showHint(const QString &text);
    // Coalesces a burst of appended events into one refresh of the timeline and the table.
    void scheduleRefresh();
    void refresh();

private:
    void explain(qsizetype index);

    const EventStore *m_store = nullptr;
    TimelineWidget *m_timeline;
    EventTableModel *m_model;
    QTableView *m_table;
    QLabel *m_hint;
    QSplitter *m_splitter;
    QCheckBox *m_follow;
    QAction *m_followAction = nullptr;
    QTimer m_refresh;
};

} // namespace finscope
