#pragma once

// The File menu's work for the live window: save the live session, open saved ones read-only in
// windows of their own, the Open Recent list, timeline export, the autosave, the offer to recover
// an autosave left by a FinScope that did not quit cleanly, and the unsaved-changes prompt at quit.
// Every question to the user goes through a replaceable prompt, so tests answer it.

#include "recentfiles.h"

#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>

class QMenu;
class QWidget;

namespace finscope {

class Autosave;
class Recorder;
struct Session;
class ReplayWindow;
class SessionView;
class SessionWindow;

class SessionController : public QObject
{
    Q_OBJECT
public:
    enum class UnsavedChoice { Save, Discard, Cancel };
    enum class RecoveryChoice { Open, Discard, Later };
    enum class FileRole { SaveSession, OpenSession, ExportSvg, ExportPng };

    using UnsavedPrompt = std::function<UnsavedChoice(qsizetype unsavedEvents)>;
    using RecoveryPrompt
        = std::function<RecoveryChoice(const QString &path, const Session &session)>;
    // Returns the chosen path, or an empty string when the user cancels.
    using FilePrompt = std::function<QString(FileRole role, const QString &suggestion)>;
    using ErrorReporter = std::function<void(const QString &title, const QString &text)>;

    // window: the live window (its title, the dialogs' parent).
    SessionController(Recorder *recorder,
                      QWidget *window,
                      const QString &autosaveDirectory,
                      QObject *parent = nullptr);
    ~SessionController() override;

    Autosave *autosave() const { return m_autosave; }
    RecentFiles &recentFiles() { return m_recent; }
    QString path() const { return m_path; }
    // Events recorded since the last save.
    qsizetype unsavedEvents() const;
    // Quitting asks first only when unsaved events include a connection's: the listener's own
    // start-up events are not worth a question.
    bool needsSavePrompt() const;
    QList<SessionWindow *> sessionWindows() const;

    void setUnsavedPrompt(UnsavedPrompt prompt) { m_askUnsaved = std::move(prompt); }
    void setRecoveryPrompt(RecoveryPrompt prompt) { m_askRecovery = std::move(prompt); }
    void setFilePrompt(FilePrompt prompt) { m_askFile = std::move(prompt); }
    void setErrorReporter(ErrorReporter reporter) { m_reportError = std::move(reporter); }

    bool saveTo(const QString &path);
    // nullptr when the file cannot be read; the error is reported and nothing else changes.
    SessionWindow *openSession(const QString &path);
    bool exportTimeline(SessionView *view, bool svg, const QString &path);
    // A replay window for a saved session; nothing connects until its Start.
    ReplayWindow *openReplay(const Session &session, const QString &path);
    ReplayWindow *openReplay(const QString &path);
    // Asks where, then saves a session that is not the live one (a scenario run, a replay).
    bool saveCopy(const Session &session, const QString &suggestedName);
    // Before the live window closes: asks Save / Discard / Cancel when needed.
    bool confirmClose();
    // The window is closing for good: session windows close and the autosave goes.
    void finish();
    // At start: offers each orphaned autosave that holds a connection (one with only the
    // listener's start-up is removed unasked; an unreadable one is reported and set aside).
    // Returns the windows opened.
    QList<SessionWindow *> offerRecovery();
    void fillRecentMenu(QMenu *menu);

public slots:
    bool save();
    bool saveAs();
    void open();
    void replay();
    void exportSvg(SessionView *view);
    void exportPng(SessionView *view);
    void exportView(SessionView *view, bool svg);

private:
    // The session in the file, or nullopt after telling the user what is wrong with it.
    std::optional<Session> loadOrReport(const QString &path);
    void attachWindow(SessionWindow *window);
    void saveWindowAs(SessionWindow *window);
    void openRecent(const QString &path);
    void updateTitle();
    void rememberDirectory(const QString &path);
    QString suggestion(const QString &fileName) const;
    UnsavedChoice defaultAskUnsaved(qsizetype unsaved) const;
    RecoveryChoice defaultAskRecovery(const QString &path, const Session &session) const;
    QString defaultAskFile(FileRole role, const QString &suggestion) const;

    Recorder *m_recorder;
    QWidget *m_window;
    Autosave *m_autosave;
    RecentFiles m_recent;
    QString m_path;
    qsizetype m_savedEvents = 0;
    UnsavedPrompt m_askUnsaved;
    RecoveryPrompt m_askRecovery;
    FilePrompt m_askFile;
    ErrorReporter m_reportError;
    // Top-level windows of their own, not children of the live window: a child window would be
    // kept above it (a transient), and the two are meant to sit side by side.
    QList<QPointer<SessionWindow>> m_sessionWindows;
    QList<QPointer<ReplayWindow>> m_replayWindows;
};

} // namespace finscope
