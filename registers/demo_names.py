"""Names the demo organisation's records share across registers and apps: the AI systems that risks,
incidents and KPIs name. One place, so a rename cannot split the demo's trace."""

CREDIT = "Credit scoring (Northbank Score v3)"
FRAUD = "Fraud detection (transaction monitoring)"
CHATBOT = "Customer-support chatbot (Ask Northbank)"
HIRING = "CV screening (hiring)"
OCR = "Loan document OCR"
ALL_SYSTEMS = "All AI systems"
