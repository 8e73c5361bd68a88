#pragma once
int memfile_create(long size);
void *memfile_map(int fd, long off, long len);
int memfile_punch(int fd, long off, long len);
