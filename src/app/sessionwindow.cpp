#include "sessionwindow.h"

#include "sessionview.h"
#include "timelinewidget.h"

#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QMenuBar>
#include <QSplitter>

namespace finscope {

SessionWindow::SessionWindow(Session session, const QString &path, QWidget *parent)
    : QMainWindow(parent)
    , m_session(std::move(session))
    , m_path(path)
    , m_view(new SessionView(this))
{
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowIcon(QIcon(QStringLiteral(":/icons/finscope.svg")));
    m_view->setLive(false);
    m_view->setSession(&m_session);
    m_view->timeline()->fitAll();
    setCentralWidget(m_view);

    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open Session…"), QKeySequence::Open, this, &SessionWindow::openRequested);
    file->addAction(tr("Save Session &As…"), QKeySequence::SaveAs, this, [this] {
        emit saveAsRequested(this);
    });
    file->addSeparator();
    file->addAction(
        tr("Export Timeline as &SVG…"), this, [this] { emit exportRequested(m_view, true); });
    file->addAction(
        tr("Export Timeline as &PNG…"), this, [this] { emit exportRequested(m_view, false); });
    file->addSeparator();
    file->addAction(tr("&Replay…"), QKeySequence(Qt::CTRL | Qt::Key_R), this, [this] {
        emit replayRequested(this);
    });
    file->addSeparator();
    file->addAction(tr("&Close"), QKeySequence::Close, this, &QWidget::close);
    m_view->addZoomActions(menuBar()->addMenu(tr("&View")));

    const QString tool = m_session.tool.isEmpty() ? tr("an unknown tool") : m_session.tool;
    m_view->showHint(
        tr("Read-only: %1\nRecorded %2 by %3: %n event(s). Nothing here connects "
           "anywhere; the live workbench keeps running in its own window.",
           nullptr,
           int(m_session.events.size()))
            .arg(QDir::toNativeSeparators(path),
                 QLocale().toString(m_session.wallClockStart.toLocalTime(), QLocale::ShortFormat),
                 tool));
    resize(1300, 760);
    // A saved session has few lanes: give the table what the timeline does not need.
    const int timelineHeight = m_view->timeline()->sizeHint().height() + 40;
    m_view->splitter()->setSizes({timelineHeight, 760 - timelineHeight});
    updateTitle();
}

void SessionWindow::setRecovered(bool recovered)
{
    m_recovered = recovered;
    updateTitle();
}

void SessionWindow::setSavedAs(const QString &path)
{
    m_path = path;
    m_recovered = false;
    updateTitle();
}

void SessionWindow::updateTitle()
{
    const QString name = QFileInfo(m_path).fileName();
    setWindowTitle(m_recovered ? tr("%1 — recovered, read-only — FinScope").arg(name)
                               : tr("%1 — read-only — FinScope").arg(name));
}

} // namespace finscope
