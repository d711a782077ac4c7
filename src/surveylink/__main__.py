from surveylink.cli import app

app(prog_name="surveylink")
