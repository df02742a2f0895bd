-- No query reads people by organisation in id order: the duplicate scan and
-- its watermark use people_org_updated, imports people_external, and lists
-- go through cases. The index only cost every registration a write.
DROP INDEX people_org;
