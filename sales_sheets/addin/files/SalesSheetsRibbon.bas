Attribute VB_Name = "SalesSheetsRibbon"
' The one callback of every button on the Sales Sheets ribbon tab. The button's tag names
' the Python action (sales_sheets.addin.ACTIONS): a new button is ribbon XML plus a Python
' function, never new VBA.
Sub OnAction(control As IRibbonControl)
    RunPython "import sales_sheets.addin; sales_sheets.addin.run('" & control.Tag & "')"
End Sub
