-- The sub_errcode of a requested drop (Tencent 267/31083: 21/100 DropLiveStream, 21/101
-- ForbidLiveStream), so the node holding the publish sends the interruption errmsg that says which.
ALTER TABLE live_streams ADD COLUMN drop_sub_errcode INTEGER;
