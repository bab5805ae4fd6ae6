#pragma once

// A saved (or recovered) session, opened read-only in a window of its own: the timeline, the event
// table and the hints, and no connection controls. It never connects anywhere, and the live
// workbench keeps running beside it.

#include "engine/session/session.h"

#include <QMainWindow>

namespace finscope {

class SessionView;

class SessionWindow : public QMainWindow
{
    Q_OBJECT
public:
    SessionWindow(Session session, const QString &path, QWidget *parent = nullptr);

    const Session &session() const { return m_session; }
    QString path() const { return m_path; }
    SessionView *view() const { return m_view; }
    // A recovered autosave: the title says so, and saving it elsewhere lets the autosave go.
    void setRecovered(bool recovered);
    bool isRecovered() const { return m_recovered; }
    // After Save As: the window now shows that file, which is no longer a recovery.
    void setSavedAs(const QString &path);

signals:
    void openRequested();
    void exportRequested(finscope::SessionView *view, bool svg);
    void saveAsRequested(finscope::SessionWindow *window);
    void replayRequested(finscope::SessionWindow *window);

private:
    void updateTitle();

    Session m_session;
    QString m_path;
    SessionView *m_view;
    bool m_recovered = false;
};

} // namespace finscope
