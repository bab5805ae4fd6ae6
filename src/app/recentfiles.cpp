#include "recentfiles.h"

#include <QFileInfo>
#include <QSettings>

namespace finscope {

namespace {

const QString Key = QStringLiteral("recent/files");

void store(const QStringList &files)
{
    QSettings().setValue(Key, files);
}

} // namespace

QStringList RecentFiles::files() const
{
    return QSettings().value(Key).toStringList();
}

void RecentFiles::add(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList list = files();
    list.removeAll(absolute);
    list.prepend(absolute);
    while (list.size() > MaxFiles)
        list.removeLast();
    store(list);
}

void RecentFiles::remove(const QString &path)
{
    QStringList list = files();
    list.removeAll(path);
    list.removeAll(QFileInfo(path).absoluteFilePath());
    store(list);
}

void RecentFiles::clear()
{
    store({});
}

} // namespace finscope
