#include "sessioncontroller.h"

#include "autosave.h"
#include "engine/run/recorder.h"
#include "render/timelineexport.h"
#include "replaywindow.h"
#include "sessionview.h"
#include "sessionwindow.h"
#include "timelinewidget.h"

#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QWidget>

#include <algorithm>

namespace finscope {

namespace {

const QString SessionFilter = QStringLiteral("FinScope sessions (*.json);;All files (*)");
const QString LastDirectoryKey = QStringLiteral("session/lastDirectory");

} // namespace

SessionController::SessionController(Recorder *recorder,
                                     QWidget *window,
                                     const QString &autosaveDirectory,
                                     QObject *parent)
    : QObject(parent)
    , m_recorder(recorder)
    , m_window(window)
    , m_autosave(new Autosave(recorder, autosaveDirectory, this))
{
    m_askUnsaved = [this](qsizetype unsaved) { return defaultAskUnsaved(unsaved); };
    m_askRecovery = [this](const QString &path, const Session &session) {
        return defaultAskRecovery(path, session);
    };
    m_askFile = [this](FileRole role, const QString &suggestion) {
        return defaultAskFile(role, suggestion);
    };
    m_reportError = [this](const QString &title, const QString &text) {
        QMessageBox::warning(m_window, title, text);
    };
    connect(m_recorder, &Recorder::eventAdded, this, [this] {
        if (!m_path.isEmpty() && !m_window->isWindowModified())
            m_window->setWindowModified(true);
    });
    connect(m_autosave, &Autosave::failed, this, [this](const QString &error) {
        m_reportError(tr("Autosave failed"),
                      tr("The live session could not be autosaved: %1. FinScope keeps trying; "
                         "save the session yourself to be safe.")
                          .arg(error));
    });
    m_autosave->start();
}

SessionController::~SessionController()
{
    qDeleteAll(sessionWindows());
    for (const QPointer<ReplayWindow> &window : std::as_const(m_replayWindows))
        delete window.data();
}

qsizetype SessionController::unsavedEvents() const
{
    return m_recorder->events().size() - m_savedEvents;
}

bool SessionController::needsSavePrompt() const
{
    const EventStore &events = m_recorder->events();
    for (qsizetype i = m_savedEvents; i < events.size(); ++i) {
        if (events.at(i).conn != 0)
            return true;
    }
    return false;
}

QList<SessionWindow *> SessionController::sessionWindows() const
{
    QList<SessionWindow *> out;
    for (const QPointer<SessionWindow> &window : m_sessionWindows) {
        if (window)
            out.append(window);
    }
    return out;
}

bool SessionController::save()
{
    return m_path.isEmpty() ? saveAs() : saveTo(m_path);
}

bool SessionController::saveAs()
{
    const QString name
        = m_path.isEmpty()
              ? QStringLiteral("finscope-%1.json")
                    .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")))
              : QFileInfo(m_path).fileName();
    const QString path = m_askFile(FileRole::SaveSession, suggestion(name));
    return !path.isEmpty() && saveTo(path);
}

bool SessionController::saveTo(const QString &path)
{
    QString error;
    const qsizetype count = m_recorder->events().size();
    if (!m_recorder->session().save(path, &error)) {
        m_reportError(tr("Could not save the session"), error);
        return false;
    }
    m_path = QFileInfo(path).absoluteFilePath();
    m_savedEvents = count;
    m_recent.add(m_path);
    rememberDirectory(m_path);
    updateTitle();
    return true;
}

void SessionController::open()
{
    const QString path = m_askFile(FileRole::OpenSession, suggestion({}));
    if (!path.isEmpty())
        openSession(path);
}

void SessionController::replay()
{
    const QString path = m_askFile(FileRole::OpenSession, suggestion({}));
    if (!path.isEmpty())
        openReplay(path);
}

std::optional<Session> SessionController::loadOrReport(const QString &path)
{
    QString error;
    std::optional<Session> session = Session::load(path, &error);
    if (!session)
        m_reportError(tr("Could not open the session"), error);
    return session;
}

ReplayWindow *SessionController::openReplay(const QString &path)
{
    std::optional<Session> session = loadOrReport(path);
    if (!session)
        return nullptr;
    m_recent.add(path);
    rememberDirectory(path);
    return openReplay(*session, QFileInfo(path).absoluteFilePath());
}

ReplayWindow *SessionController::openReplay(const Session &session, const QString &path)
{
    // A top-level window of its own, like a read-only session.
    auto *window = new ReplayWindow(session, path);
    m_replayWindows.removeAll(nullptr);
    m_replayWindows.append(window);
    connect(window, &ReplayWindow::saveRequested, this, &SessionController::saveCopy);
    connect(window, &ReplayWindow::exportRequested, this, &SessionController::exportView);
    window->show();
    return window;
}

SessionWindow *SessionController::openSession(const QString &path)
{
    std::optional<Session> session = loadOrReport(path);
    if (!session)
        return nullptr;
    auto *window = new SessionWindow(std::move(*session), QFileInfo(path).absoluteFilePath());
    attachWindow(window);
    m_recent.add(path);
    rememberDirectory(path);
    window->show();
    return window;
}

void SessionController::attachWindow(SessionWindow *window)
{
    m_sessionWindows.removeAll(nullptr);
    m_sessionWindows.append(window);
    connect(window, &SessionWindow::openRequested, this, &SessionController::open);
    connect(window, &SessionWindow::saveAsRequested, this, &SessionController::saveWindowAs);
    connect(window, &SessionWindow::replayRequested, this, [this](SessionWindow *w) {
        openReplay(w->session(), w->path());
    });
    connect(window, &SessionWindow::exportRequested, this, &SessionController::exportView);
}

void SessionController::saveWindowAs(SessionWindow *window)
{
    const QString path
        = m_askFile(FileRole::SaveSession, suggestion(QFileInfo(window->path()).fileName()));
    if (path.isEmpty())
        return;
    QString error;
    if (!window->session().save(path, &error)) {
        m_reportError(tr("Could not save the session"), error);
        return;
    }
    // A recovered autosave is safe elsewhere now: it is no longer an orphan to offer.
    if (window->isRecovered())
        QFile::remove(window->path());
    window->setSavedAs(QFileInfo(path).absoluteFilePath());
    m_recent.add(path);
    rememberDirectory(path);
}

bool SessionController::saveCopy(const Session &session, const QString &suggestedName)
{
    const QString path = m_askFile(FileRole::SaveSession, suggestion(suggestedName));
    if (path.isEmpty())
        return false;
    QString error;
    if (!session.save(path, &error)) {
        m_reportError(tr("Could not save the session"), error);
        return false;
    }
    m_recent.add(path);
    rememberDirectory(path);
    return true;
}

void SessionController::exportSvg(SessionView *view)
{
    const QString path = m_askFile(FileRole::ExportSvg, suggestion(QStringLiteral("timeline.svg")));
    if (!path.isEmpty())
        exportTimeline(view, true, path);
}

void SessionController::exportView(SessionView *view, bool svg)
{
    svg ? exportSvg(view) : exportPng(view);
}

void SessionController::exportPng(SessionView *view)
{
    const QString path = m_askFile(FileRole::ExportPng, suggestion(QStringLiteral("timeline.png")));
    if (!path.isEmpty())
        exportTimeline(view, false, path);
}

bool SessionController::exportTimeline(SessionView *view, bool svg, const QString &path)
{
    QString error;
    const bool ok = svg ? TimelineExport::writeSvg(
                        view->timeline()->painter(), path, view->window()->windowTitle(), &error)
                        : TimelineExport::writePng(view->timeline()->painter(), path, &error);
    if (!ok)
        m_reportError(tr("Could not export the timeline"), error);
    else
        rememberDirectory(path);
    return ok;
}

bool SessionController::confirmClose()
{
    if (!needsSavePrompt())
        return true;
    switch (m_askUnsaved(unsavedEvents())) {
    case UnsavedChoice::Save:
        return save();
    case UnsavedChoice::Discard:
        return true;
    case UnsavedChoice::Cancel:
        break;
    }
    return false;
}

void SessionController::finish()
{
    for (SessionWindow *window : sessionWindows())
        window->close();
    for (const QPointer<ReplayWindow> &window : std::as_const(m_replayWindows)) {
        if (window)
            window->close();
    }
    m_autosave->discard();
}

QList<SessionWindow *> SessionController::offerRecovery()
{
    QList<SessionWindow *> opened;
    for (const QString &path : Autosave::orphans(m_autosave->directory())) {
        QString error;
        std::optional<Session> session = Session::load(path, &error);
        if (!session) {
            // Set aside so it is not offered at every start; the message says where it is.
            const QString aside = path + QStringLiteral(".unreadable");
            QFile::remove(aside);
            QFile::rename(path, aside);
            m_reportError(
                tr("Could not recover the session"),
                tr("%1\nThe file was kept as %2.").arg(error, QDir::toNativeSeparators(aside)));
            continue;
        }
        const auto &events = session->events.events();
        if (std::none_of(
                events.begin(), events.end(), [](const Event &e) { return e.conn != 0; })) {
            QFile::remove(path); // only the listener starting up: nothing worth a question
            continue;
        }
        switch (m_askRecovery(path, *session)) {
        case RecoveryChoice::Open: {
            auto *window = new SessionWindow(std::move(*session), path);
            window->setRecovered(true);
            attachWindow(window);
            window->show();
            opened.append(window);
            break;
        }
        case RecoveryChoice::Discard:
            QFile::remove(path);
            break;
        case RecoveryChoice::Later:
            break;
        }
    }
    return opened;
}

void SessionController::fillRecentMenu(QMenu *menu)
{
    menu->clear();
    const QStringList files = m_recent.files();
    for (int i = 0; i < files.size(); ++i) {
        const QString &path = files[i];
        const QString label = QStringLiteral("&%1 %2").arg(i + 1).arg(QFileInfo(path).fileName());
        QAction *action = menu->addAction(label, this, [this, path] { openRecent(path); });
        action->setToolTip(QDir::toNativeSeparators(path));
        action->setStatusTip(QDir::toNativeSeparators(path));
    }
    if (files.isEmpty())
        menu->addAction(tr("No recent sessions"))->setEnabled(false);
    menu->addSeparator();
    menu->addAction(tr("&Clear list"), this, [this] { m_recent.clear(); })
        ->setEnabled(!files.isEmpty());
}

void SessionController::openRecent(const QString &path)
{
    if (!QFileInfo::exists(path)) {
        m_recent.remove(path);
        m_reportError(tr("Session not found"),
                      tr("'%1' no longer exists; it was removed from the recent list.")
                          .arg(QDir::toNativeSeparators(path)));
        return;
    }
    openSession(path);
}

void SessionController::updateTitle()
{
    if (m_path.isEmpty()) {
        m_window->setWindowTitle(QStringLiteral("FinScope"));
        return;
    }
    m_window->setWindowTitle(tr("%1[*] — live — FinScope").arg(QFileInfo(m_path).fileName()));
    m_window->setWindowModified(unsavedEvents() > 0);
}

void SessionController::rememberDirectory(const QString &path)
{
    QSettings().setValue(LastDirectoryKey, QFileInfo(path).absolutePath());
}

QString SessionController::suggestion(const QString &fileName) const
{
    QString dir = QSettings().value(LastDirectoryKey).toString();
    if (dir.isEmpty() || !QFileInfo(dir).isDir())
        dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    return fileName.isEmpty() ? dir : QDir(dir).filePath(fileName);
}

SessionController::UnsavedChoice SessionController::defaultAskUnsaved(qsizetype unsaved) const
{
    QMessageBox box(
        QMessageBox::Warning,
        tr("Save the live session?"),
        tr("The live session has %n event(s) that are not saved.", nullptr, int(unsaved)),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel,
        m_window);
    box.setInformativeText(tr("Discard closes every connection and drops what was recorded."));
    box.setDefaultButton(QMessageBox::Save);
    switch (box.exec()) {
    case QMessageBox::Save:
        return UnsavedChoice::Save;
    case QMessageBox::Discard:
        return UnsavedChoice::Discard;
    default:
        return UnsavedChoice::Cancel;
    }
}

SessionController::RecoveryChoice
SessionController::defaultAskRecovery(const QString &path, const Session &session) const
{
    const QFileInfo info(path);
    QMessageBox box(QMessageBox::Question,
                    tr("Recover a session?"),
                    tr("FinScope did not quit cleanly last time (process %1). Its live session "
                       "was autosaved at %2 with %n event(s).",
                       nullptr,
                       int(session.events.size()))
                        .arg(Autosave::pidOf(info.fileName()))
                        .arg(QLocale().toString(info.lastModified(), QLocale::ShortFormat)),
                    QMessageBox::NoButton,
                    m_window);
    box.setInformativeText(tr("It opens read-only; save it elsewhere to keep it.\n%1")
                               .arg(QDir::toNativeSeparators(path)));
    QPushButton *open = box.addButton(tr("Open the recovered session"), QMessageBox::AcceptRole);
    QPushButton *discard = box.addButton(QMessageBox::Discard);
    box.setDefaultButton(open);
    box.exec();
    if (box.clickedButton() == open)
        return RecoveryChoice::Open;
    if (box.clickedButton() == discard)
        return RecoveryChoice::Discard;
    return RecoveryChoice::Later; // Esc or the window's close button: ask again next time
}

QString SessionController::defaultAskFile(FileRole role, const QString &suggestion) const
{
    switch (role) {
    case FileRole::OpenSession:
        return QFileDialog::getOpenFileName(
            m_window, tr("Open Session (read-only)"), suggestion, SessionFilter);
    case FileRole::SaveSession:
        return QFileDialog::getSaveFileName(
            m_window, tr("Save Session"), suggestion, SessionFilter);
    case FileRole::ExportSvg:
        return QFileDialog::getSaveFileName(
            m_window, tr("Export Timeline as SVG"), suggestion, tr("SVG images (*.svg)"));
    case FileRole::ExportPng:
        return QFileDialog::getSaveFileName(
            m_window, tr("Export Timeline as PNG"), suggestion, tr("PNG images (*.png)"));
    }
    return {};
}

} // namespace finscope
