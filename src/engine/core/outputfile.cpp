#include "engine/core/outputfile.h"

#include <QFileInfo>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace finscope {

namespace {

// The causes a user can act on, in words that say what to do about them.
QString knownReason(int code)
{
    switch (code) {
    case ENOSPC:
        return QStringLiteral("no space left on device (the disk is full)");
    case EDQUOT:
        return QStringLiteral("disk quota exceeded");
    case EIO:
        return QStringLiteral("input/output error (the device failed)");
    case EFBIG:
        return QStringLiteral("file too large");
    default:
        return QString();
    }
}

// Qt's write errors often read "Unknown error" (a failure inside its buffer's flush): errno,
// read at once, still names the cause (ENOSPC, EFBIG, EIO).
QString reasonNow(const QIODevice *device)
{
    const int code = errno;
    const QString known = knownReason(code);
    if (!known.isEmpty())
        return known;
    const QString text = device->errorString();
    if (code != 0 && (text.isEmpty() || text == QLatin1StringView("Unknown error")))
        return QString::fromLocal8Bit(std::strerror(code));
    return text;
}

} // namespace

OutputFile::OutputFile(QString path)
    : m_path(std::move(path))
{}

OutputFile::~OutputFile() = default;

QString OutputFile::failure(const QString &reason) const
{
    if (m_path == QLatin1StringView("-"))
        return QStringLiteral("cannot write to standard output: %1").arg(reason);
    if (m_what.isEmpty())
        return QStringLiteral("cannot write '%1': %2").arg(m_path, reason);
    return QStringLiteral("cannot write %1 '%2': %3").arg(m_what, m_path, reason);
}

bool OutputFile::open(QString *error)
{
    m_failed = false;
    m_reason.clear();
    if (m_path == QLatin1StringView("-")) {
        m_through = std::make_unique<QFile>();
        if (!m_through->open(stdout, QIODevice::WriteOnly)) {
            *error = failure(m_through->errorString());
            return false;
        }
        m_device = m_through.get();
        return true;
    }
    const QFileInfo info(m_path);
    if (info.exists() && !info.isFile() && !info.isDir()) {
        m_through = std::make_unique<QFile>(m_path);
        if (!m_through->open(QIODevice::WriteOnly)) {
            *error = failure(m_through->errorString());
            return false;
        }
        m_device = m_through.get();
        return true;
    }
    m_atomic = std::make_unique<QSaveFile>(m_path);
    if (!m_atomic->open(QIODevice::WriteOnly)) {
        *error = failure(m_atomic->errorString());
        return false;
    }
    m_device = m_atomic.get();
    return true;
}

bool OutputFile::check(QString *error) const
{
    if (m_path == QLatin1StringView("-"))
        return true;
    const QFileInfo info(m_path);
    if (info.isDir()) {
        *error = failure(QStringLiteral("it is a folder"));
        return false;
    }
    // A pipe or a device is written through, in place: only its own permission counts.
    if (info.exists() && !info.isFile()) {
        if (info.isWritable())
            return true;
        *error = failure(QStringLiteral("permission denied"));
        return false;
    }
    // QSaveFile writes a temporary file beside the target, then renames it over the target.
    const QFileInfo folder(info.absolutePath());
    if (!folder.exists()) {
        *error = failure(QStringLiteral("the folder '%1' does not exist").arg(folder.filePath()));
        return false;
    }
    if (!folder.isDir()) {
        *error = failure(QStringLiteral("'%1' is not a folder").arg(folder.filePath()));
        return false;
    }
    if (!folder.isWritable()) {
        *error = failure(QStringLiteral("the folder '%1' is not writable").arg(folder.filePath()));
        return false;
    }
    if (info.exists() && !info.isWritable()) {
        *error = failure(QStringLiteral("the file is not writable"));
        return false;
    }
    return true;
}

bool OutputFile::write(QByteArrayView data)
{
    if (!m_device || m_failed)
        return false;
    errno = 0;
    if (m_device->write(data.data(), data.size()) != data.size()) {
        m_failed = true;
        m_reason = reasonNow(m_device);
    }
    return !m_failed;
}

bool OutputFile::commit(QString *error)
{
    if (!m_device) {
        *error = failure(QStringLiteral("the file was not opened"));
        return false;
    }
    // Qt 6.4's QSaveFile::commit() returns true even when its last flush failed (ENOSPC), and
    // would rename a cut file over the old one: flush first, and cancel on any failure.
    QString reason = m_reason;
    bool ok = !m_failed;
    if (m_atomic) {
        errno = 0;
        if (ok && !m_atomic->flush()) {
            ok = false;
            reason = reasonNow(m_atomic.get());
        }
        if (!ok)
            m_atomic->cancelWriting();
        errno = 0;
        if (!m_atomic->commit() && ok) {
            ok = false;
            reason = reasonNow(m_atomic.get());
        }
    } else {
        errno = 0;
        if (!m_through->flush() && ok) {
            ok = false;
            reason = reasonNow(m_through.get());
        }
        m_through->close();
    }
    m_device = nullptr;
    if (!ok)
        *error = failure(reason.isEmpty() ? QStringLiteral("write failed") : reason);
    return ok;
}

bool OutputFile::write(const QString &path, QByteArrayView data, QString *error)
{
    OutputFile file(path);
    if (!file.open(error))
        return false;
    file.write(data);
    return file.commit(error);
}

} // namespace finscope
