"""After a breach: the creditor's enforcement application (强制执行申请书) for an agreement
the court confirmed (CPL Arts. 235, 250), the application deadline on the case, and for an
agreement not confirmed, a summary of the claim to sue on the contract."""
