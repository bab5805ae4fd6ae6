#include "engine/core/outputfile.h"

#include <QFileInfo>

#include <cstdio>

namespace finscope {

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
    if (m_device->write(data.data(), data.size()) != data.size())
        m_failed = true;
    return !m_failed;
}

bool OutputFile::commit(QString *error)
{
    if (!m_device) {
        *error = failure(QStringLiteral("the file was not opened"));
        return false;
    }
    bool ok = !m_failed;
    QString reason = m_device->errorString();
    if (m_atomic) {
        if (m_failed)
            m_atomic->cancelWriting();
        ok = m_atomic->commit() && ok;
        if (!ok && reason.isEmpty())
            reason = m_atomic->errorString();
    } else {
        ok = m_through->flush() && ok;
        if (!ok)
            reason = m_through->errorString();
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
