/* The attn command-line tool: one function per subcommand, each in its own
 * file (cmd_<name>.c). Each returns the process exit code and reports errors
 * as one line on stderr. */
#ifndef ATTN_TOOLS_COMMANDS_H
#define ATTN_TOOLS_COMMANDS_H

int attn_cmd_info(int argc, char **argv);
int attn_cmd_tokenize(int argc, char **argv);


#endif
